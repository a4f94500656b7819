package container

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorsOfKnownDockerSetUpsSayWhatToSet(t *testing.T) {
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "")
	cases := []struct {
		err  error
		want string
	}{
		// as testcontainers-go reports a reaper whose image cannot be pulled
		{fmt.Errorf("generic container: create container: %w", fmt.Errorf("reaper: %w",
			errors.New("new reaper: run container: create container: Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io: no such host"))),
			"set TESTCONTAINERS_RYUK_DISABLED=true"},
		// as its wait strategy reports mapped ports dialled on a guessed gateway
		{fmt.Errorf("generic container: start container: started hook: wait until ready: %w",
			fmt.Errorf("%w: %w", context.DeadlineExceeded, errors.New("Get \"http://172.17.0.1:32771/_pwemu/health\": dial tcp 172.17.0.1:32771: connect: connection refused"))),
			"set TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"},
		{errors.New("create container: Error response from daemon: pull access denied for pwemu, repository does not exist"),
			"make image"},
	}
	for _, c := range cases {
		got := explain(c.err)
		if !errors.Is(got, c.err) || !strings.Contains(got.Error(), c.want) {
			t.Errorf("explain(%q) = %q; want it wrapped with %q", c.err, got, c.want)
		}
	}
	other := errors.New("some other failure")
	if got := explain(other); got != other {
		t.Errorf("explain(%q) = %q; want it unchanged", other, got)
	}
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	if got := explain(cases[1].err); got != cases[1].err {
		t.Errorf("with the override set, a timeout is not blamed on it: %q", got)
	}
}
