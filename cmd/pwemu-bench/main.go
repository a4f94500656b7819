// Command pwemu-bench measures pwemu from outside, as its users meet it: it builds the
// pwemu binary and bare baselines, starts each as a separate process, drives them from a
// load generator in a third process, alternates pwemu and the baseline over several
// pairs of fresh processes (pinned to cores with taskset where it exists) and prints,
// for each figure, the ratio's min / median / max with the raw figures.
//
// Run from the repository root:
//
//	go run ./cmd/pwemu-bench [-pairs 5] [-only api,register,http,grpc,hours,fanout,start,testkit] [-short] [-cpuprofile DIR]
//
// The processes it starts are this same binary run with a role as its first argument
// (load, register, bare-api, receiver-http, receiver-grpc, post-loop, grpc-loop) and
// the pwemu and barehealth binaries it builds. Every loop is bounded in count and in
// time, and all traffic stays on loopback.
package main

import (
	"fmt"
	"os"
)

// roles are the processes the harness starts from its own binary.
var roles = map[string]func(args []string) error{
	"load":          runLoad,
	"register":      runRegister,
	"bare-api":      runBareAPI,
	"receiver-http": runReceiverHTTP,
	"receiver-grpc": runReceiverGRPC,
	"post-loop":     runPostLoop,
	"grpc-loop":     runGRPCLoop,
}

func main() {
	if len(os.Args) > 1 {
		if role, ok := roles[os.Args[1]]; ok {
			if err := role(os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "pwemu-bench %s: %v\n", os.Args[1], err)
				os.Exit(1)
			}
			return
		}
	}
	if err := runHarness(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pwemu-bench:", err)
		os.Exit(1)
	}
}
