package container_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
)

// image is the tag the tests (and the README's `make image`) use.
const image = "pwemu:dev"

// TestMain builds the image once from this checkout, the way `make image` does. Without
// Docker the package skips with a message — unless PWEMU_REQUIRE_DOCKER is set (CI
// sets it), where a missing Docker is a failure.
func TestMain(m *testing.M) {
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true") // no side containers: nothing can be pulled
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" {
		// The daemon is local (unix socket): reach mapped ports on loopback, not on the
		// gateway address testcontainers guesses when it believes it runs in a container.
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	if err := dockerReady(); err != nil {
		if os.Getenv("PWEMU_REQUIRE_DOCKER") != "" {
			fmt.Fprintf(os.Stderr, "container tests: Docker is required here (PWEMU_REQUIRE_DOCKER is set) but not usable: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("container tests skipped: Docker is not usable (%v); they run where Docker is\n", err)
		os.Exit(0)
	}
	if err := buildImage(); err != nil {
		fmt.Fprintf(os.Stderr, "container tests: building %s: %v\n", image, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func dockerReady() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		return err
	}
	defer p.Close()
	return p.Health(ctx)
}

// buildImage compiles a static binary and builds the repository's Dockerfile around it.
func buildImage() error {
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(self), "..", "..")
	ctxDir, err := os.MkdirTemp("", "pwemu-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(ctxDir)
	dist := filepath.Join(ctxDir, "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return err
	}
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=test",
		"-o", filepath.Join(dist, "pwemu"), "./cmd/pwemu")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	if err := copyFile(filepath.Join(root, "Dockerfile"), filepath.Join(ctxDir, "Dockerfile")); err != nil {
		return err
	}
	if err := copyFile("/etc/ssl/certs/ca-certificates.crt", filepath.Join(dist, "ca-certificates.crt")); err != nil {
		// a host without a CA bundle still builds an image; HTTPS receivers need tls.ca then
		if err := os.WriteFile(filepath.Join(dist, "ca-certificates.crt"), nil, 0o644); err != nil {
			return err
		}
	}
	docker := exec.Command("docker", "build", "-q", "-t", image, ctxDir)
	if out, err := docker.CombinedOutput(); err != nil {
		return fmt.Errorf("docker build: %v\n%s", err, out)
	}
	return nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o644)
}
