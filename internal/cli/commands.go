package cli

import "github.com/spf13/cobra"

// addCommands registers the commands that live in their own files. Each
// engineer adds one line here for a new command.
func addCommands(root *cobra.Command, env *Env) {
	_ = env
	root.AddCommand(newEchoCmd(env))
	// issue 3
	root.AddCommand(newRegisterCmd(env), newForgotPasswordCmd(env), newGuestCmd(env))
	root.AddCommand(newTokenCmd(env), newRefreshCmd(env), newRevokeCmd(env), newLogoutCmd(env)) // issue 5
	root.AddCommand(newUserinfoCmd(env), newStatusCmd(env), newProfileCmd(env))                 // issue 5
}
