package ev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Toolchain runs the go command on this module's sources, for what only the
// compiler can tell (escape decisions) and for the race detector. Results
// are kept in Work, so a second run reuses them.
type Toolchain struct {
	// Go is the go command.
	Go string
	// Src is the module's root (the directory holding go.mod).
	Src string
	// Work is a directory for build products (the workbook passes
	// target/go/<stamp>); empty means a temporary directory.
	Work string

	mu sync.Mutex
}

// env is the environment for the go command: never download a toolchain or
// a module, never use a workspace file.
func (t *Toolchain) env(cgo bool) []string {
	env := os.Environ()
	env = append(env, "GOTOOLCHAIN=local", "GOPROXY=off", "GOWORK=off", "GOFLAGS=")
	if cgo {
		env = append(env, "CGO_ENABLED=1")
	}
	return env
}

func (t *Toolchain) workDir() (string, error) {
	if t.Work == "" {
		d, err := os.MkdirTemp("", "gocheck-")
		if err != nil {
			return "", err
		}
		t.Work = d
	}
	return t.Work, os.MkdirAll(t.Work, 0o755)
}

// EscapeLog returns what `go build -gcflags=-m` prints for package pkg
// (relative to Src, e.g. ./escape_heap/snippets), computed once and kept in
// Work.
func (t *Toolchain) EscapeLog(pkg string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	dir, err := t.workDir()
	if err != nil {
		return "", err
	}
	cache := filepath.Join(dir, "escape-"+strings.NewReplacer("/", "_", ".", "_").Replace(pkg)+".txt")
	if b, err := os.ReadFile(cache); err == nil {
		return string(b), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.Go, "build", "-gcflags=-m", "-o", os.DevNull, pkg)
	cmd.Dir = t.Src
	cmd.Env = t.env(false)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build -gcflags=-m %s: %v: %s", pkg, err, firstLine(out.String()))
	}
	if err := os.WriteFile(cache, out.Bytes(), 0o644); err != nil {
		return "", err
	}
	return out.String(), nil
}

// ErrNoRace says the race detector cannot build here; its text is the reason.
var ErrNoRace = errors.New("the race detector is not available")

// RaceBinary builds command pkg (relative to Src) with -race once and
// returns the binary's path. When the race detector is unsupported (no cgo
// or no C compiler, an unsupported platform) the error wraps ErrNoRace with
// the compiler's reason.
func (t *Toolchain) RaceBinary(pkg string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	dir, err := t.workDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "gorace")
	failed := bin + ".unavailable"
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if b, err := os.ReadFile(failed); err == nil {
		return "", fmt.Errorf("%w: %s", ErrNoRace, strings.TrimSpace(string(b)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tmp := fmt.Sprintf("%s.tmp%d", bin, os.Getpid())
	cmd := exec.CommandContext(ctx, t.Go, "build", "-race", "-o", tmp, pkg)
	cmd.Dir = t.Src
	cmd.Env = t.env(true)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		reason := fmt.Sprintf("go build -race: %v: %s", err, firstLine(out.String()))
		_ = os.WriteFile(failed, []byte(reason), 0o644)
		return "", fmt.Errorf("%w: %s", ErrNoRace, reason)
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	return bin, nil
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			return l
		}
	}
	return strings.TrimSpace(s)
}

// FindModule walks up from dir to the directory holding this module's
// go.mod.
func FindModule(dir string) (string, error) {
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), "module perfworkbook") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no perfworkbook go.mod above the working directory (pass -src)")
		}
		dir = parent
	}
}
