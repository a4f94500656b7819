package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// scenarioVars are the values a command gives a scenario's ${VAR}s, ahead of the
// environment.
type scenarioVars struct {
	Receiver     string
	ReceiverGRPC string
	Env          []string
}

func (v *scenarioVars) flags(f *pflag.FlagSet) {
	f.StringVar(&v.Receiver, "receiver", "", "receiver URL: the value of ${RECEIVER_URL}")
	f.StringVar(&v.ReceiverGRPC, "receiver-grpc", "", "gRPC receiver address: the value of ${RECEIVER_GRPC}")
	f.StringArrayVar(&v.Env, "env", nil, "KEY=VALUE for a ${KEY} of the scenario (repeatable)")
}

// values are the ${VAR}s the flags give, for scenarios.Options.Vars.
func (v *scenarioVars) values() (map[string]string, error) {
	vars := map[string]string{}
	if v.Receiver != "" {
		vars["RECEIVER_URL"] = v.Receiver
	}
	if v.ReceiverGRPC != "" {
		vars["RECEIVER_GRPC"] = v.ReceiverGRPC
	}
	for _, kv := range v.Env {
		k, val, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("--env %q: want KEY=VALUE", kv)}
		}
		vars[k] = val
	}
	return vars, nil
}
