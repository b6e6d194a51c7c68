// Command connproxy is a TCP forwarder that counts connections, for
// bench/run.sh: it listens on a loopback port, prints "addr=HOST:PORT" on
// stdout, forwards every connection to TARGET unchanged (TLS passes
// through), and prints one "conn" line on stdout per accepted connection.
// The simulated site builds its URLs from the Host header, so a client
// pointed at the proxy stays on the proxy for every request.
//
//	connproxy TARGET     e.g. connproxy 127.0.0.1:8443
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: connproxy TARGET")
		os.Exit(2)
	}
	target := os.Args[1]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "connproxy:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	say := func(s string) { mu.Lock(); fmt.Println(s); mu.Unlock() }
	say("addr=" + ln.Addr().String())
	for {
		in, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, "connproxy:", err)
			os.Exit(1)
		}
		say("conn")
		go func() {
			defer in.Close()
			out, err := net.Dial("tcp", target)
			if err != nil {
				fmt.Fprintln(os.Stderr, "connproxy:", err)
				return
			}
			defer out.Close()
			done := make(chan struct{}, 2)
			go func() { io.Copy(out, in); done <- struct{}{} }()
			go func() { io.Copy(in, out); done <- struct{}{} }()
			<-done
		}()
	}
}
