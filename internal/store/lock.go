package store

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockRetry is how often Lock tries again while another process holds the
// lock. A refresh takes a round trip or two, so 20 ms adds little.
const lockRetry = 20 * time.Millisecond

// Lock takes the cross-process lock of profile's session, <dir>/<profile>.lock,
// waiting until it is free or ctx is done. The lock file is separate from the
// session file because the session file is replaced by rename on every save,
// and a lock on a replaced file locks nothing. The lock file is never deleted
// (deleting it would let two processes lock two different files).
//
// Whoever refreshes a session must hold this lock and re-read the session
// after taking it: another process may have refreshed it meanwhile, and with
// refresh token rotation the old refresh token is already dead. The OS
// releases the lock if the process dies.
func Lock(ctx context.Context, dir, profile string) (unlock func() error, err error) {
	if err := ValidateProfile(profile); err != nil {
		return nil, err
	}
	if err := ensureDir(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, profile+".lock")
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil {
		_ = fl.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("waiting for %s (another sfecho process holds it): %w", path, err)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		_ = fl.Close()
		return nil, fmt.Errorf("lock %s: not acquired", path)
	}
	return fl.Unlock, nil
}
