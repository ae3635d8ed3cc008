// Package osx reads what Linux counts for this process and thread: read and
// write syscalls (/proc/thread-self/io), minor page faults
// (getrusage(RUSAGE_THREAD)), resident memory and mappings (/proc/self).
//
// A goroutine that reads per-thread counters must stay on one thread:
// callers wrap the measured code in LockOSThread/UnlockOSThread (see
// OnThread).
package osx

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// IO is a snapshot of /proc/thread-self/io.
type IO struct {
	Rchar, Wchar, Syscr, Syscw int64
}

// ThreadIO reads this thread's I/O counters. Reading the file itself costs
// a few read syscalls; measure a baseline with two back-to-back reads (see
// IOCost).
func ThreadIO() (IO, error) {
	b, err := os.ReadFile("/proc/thread-self/io")
	if err != nil {
		return IO{}, err
	}
	var io IO
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "rchar:":
			io.Rchar = v
		case "wchar:":
			io.Wchar = v
		case "syscr:":
			io.Syscr = v
		case "syscw:":
			io.Syscw = v
		}
	}
	return io, nil
}

// Sub is a - b.
func (a IO) Sub(b IO) IO {
	return IO{a.Rchar - b.Rchar, a.Wchar - b.Wchar, a.Syscr - b.Syscr, a.Syscw - b.Syscw}
}

// IOCost is what one ThreadIO call adds to syscr (read from two
// back-to-back snapshots), to subtract from a measured delta.
func IOCost() (int64, error) {
	a, err := ThreadIO()
	if err != nil {
		return 0, err
	}
	b, err := ThreadIO()
	if err != nil {
		return 0, err
	}
	return b.Syscr - a.Syscr, nil
}

// rusageThread is RUSAGE_THREAD (Linux), which package syscall does not name.
const rusageThread = 1

// ThreadFaults is this thread's count of minor page faults.
func ThreadFaults() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return -1
	}
	return ru.Minflt
}

// OnThread runs f locked to one OS thread, so that per-thread counters
// read inside f are this goroutine's own.
func OnThread(f func() error) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return f()
}

// Status returns a field of /proc/self/status in bytes (for kB fields) or
// as a number.
func Status(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, field+":") {
			continue
		}
		f := strings.Fields(line[len(field)+1:])
		if len(f) == 0 {
			return -1
		}
		v, _ := strconv.ParseInt(f[0], 10, 64)
		if len(f) > 1 && f[1] == "kB" {
			v *= 1024
		}
		return v
	}
	return -1
}

// RSS is the resident set size in bytes.
func RSS() int64 { return Status("VmRSS") }

// Mapped reports whether an address range [addr, addr+n) is covered by one
// line of /proc/self/maps.
func Mapped(addr, n uintptr) bool {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		var lo, hi uintptr
		if _, err := fmt.Sscanf(line, "%x-%x", &lo, &hi); err != nil {
			continue
		}
		if lo <= addr && addr+n <= hi {
			return true
		}
	}
	return false
}

// CountMappings counts the lines of /proc/self/maps whose size is exactly n
// bytes.
func CountMappings(n uintptr) int {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return -1
	}
	count := 0
	for _, line := range strings.Split(string(b), "\n") {
		var lo, hi uintptr
		if _, err := fmt.Sscanf(line, "%x-%x", &lo, &hi); err != nil {
			continue
		}
		if hi-lo == n {
			count++
		}
	}
	return count
}

// ReadInt reads a file holding one integer (e.g. /proc/sys/vm/overcommit_memory).
func ReadInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// Region returns the /proc/self/maps line holding addr: its start address
// and its name (a file path, [heap], [stack], or "" for anonymous memory).
func Region(addr uintptr) (uintptr, string, bool) {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return 0, "", false
	}
	for _, line := range strings.Split(string(b), "\n") {
		var lo, hi uintptr
		if _, err := fmt.Sscanf(line, "%x-%x", &lo, &hi); err != nil {
			continue
		}
		if lo <= addr && addr < hi {
			f := strings.Fields(line)
			name := ""
			if len(f) >= 6 {
				name = f[5]
			}
			return lo, name, true
		}
	}
	return 0, "", false
}
