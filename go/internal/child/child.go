// Package child runs code that crashes, hangs or must start from a fresh
// runtime in a child process: this same binary, re-executed with
// GOCHECK_CHILD naming the mode.
package child

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Env names the child mode to run.
const Env = "GOCHECK_CHILD"

var (
	mu    sync.Mutex
	modes = map[string]func(){}
)

// Register adds a mode; chapter packages call it from init.
func Register(name string, f func()) {
	mu.Lock()
	defer mu.Unlock()
	modes[name] = f
}

// Dispatch runs the mode named in the environment and exits; it returns at
// once in the parent. Call it first in main.
func Dispatch() {
	name := os.Getenv(Env)
	if name == "" {
		return
	}
	mu.Lock()
	f, ok := modes[name]
	mu.Unlock()
	if !ok {
		names := make([]string, 0, len(modes))
		for n := range modes {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "unknown child mode %q (known: %s)\n", name, strings.Join(names, ", "))
		os.Exit(3)
	}
	f()
	os.Exit(0)
}

// Outcome is how a child ended.
type Outcome struct {
	// ExitCode is the exit status, or -1 when a signal killed the child.
	ExitCode int
	// Signal names the signal that killed it ("" if none).
	Signal string
	// TimedOut is true when the child was killed after the time-out.
	TimedOut bool
	// Stdout and Stderr are what it printed.
	Stdout, Stderr string
}

// Fatal reports whether the Go runtime ended the child with a fatal error or
// an unrecovered panic (exit status 2) or a signal killed it.
func (o Outcome) Fatal() bool { return o.ExitCode == 2 || o.Signal != "" }

// Says reports whether the child's stderr contains s.
func (o Outcome) Says(s string) bool { return strings.Contains(o.Stderr, s) }

// Run runs mode in a child process of this binary, with extra environment
// variables, killing it after timeout.
func Run(mode string, timeout time.Duration, env ...string) (Outcome, error) {
	self, err := os.Executable()
	if err != nil {
		return Outcome{}, err
	}
	return RunBinary(self, []string{}, append(env, Env+"="+mode), timeout)
}

// RunBinary runs another program and reports how it ended.
func RunBinary(bin string, args []string, env []string, timeout time.Duration) (Outcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	o := Outcome{Stdout: out.String(), Stderr: errb.String()}
	if ctx.Err() == context.DeadlineExceeded {
		o.TimedOut = true
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			o.ExitCode = -1
			o.Signal = ws.Signal().String()
		} else {
			o.ExitCode = ee.ExitCode()
		}
	default:
		return o, err
	}
	if o.ExitCode == 3 && strings.Contains(o.Stderr, "unknown child mode") {
		return o, fmt.Errorf("%s", strings.TrimSpace(o.Stderr))
	}
	return o, nil
}
