package zerocopy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"perfworkbook/internal/alloc"
	"perfworkbook/internal/child"
	"perfworkbook/internal/ev"
)

// oneSendfile is the shape of seed 000's sendFileZeroCopy (§1.1.2,
// L65-88): one sendfile call for the whole size on the connection's socket
// (Go's sockets are non-blocking), a short count reported as an error.
var oneSendfile = ev.Once(func(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := src.Get(c)
	if err != nil {
		return nil, err
	}
	p, err := dial()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rc, err := p.conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	var n int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		n, serr = syscall.Sendfile(int(fd), int(f.Fd()), nil, fileSize)
	}); err != nil {
		return nil, err
	}
	seedErr := ""
	if serr != nil {
		seedErr = "sendfile failed: " + serr.Error()
	} else if n != fileSize {
		seedErr = fmt.Sprintf("incomplete transfer: %d/%d bytes", n, fileSize)
	}
	p.drain()
	p.finish()
	// The loop, on a fresh connection.
	_, _, r, err := transfer(s, methods[3])
	if err != nil {
		return nil, err
	}
	e := ev.New("one syscall.Sendfile(sock, file, nil, 16 MiB) on a fresh loopback connection whose peer has not read yet (Go's socket is non-blocking); then a loop that handles short counts and EAGAIN")
	e.Add("file size", fileSize, ev.Bytes)
	e.Add("one call: bytes sent", float64(n), ev.Bytes)
	e.B("one call: the seed's check reports an error", seedErr != "")
	e.Add("loop: bytes delivered", float64(r.n), ev.Bytes)
	e.B("loop: checksum matches", r.sum == s.sum)
	return e.Say("one sendfile call sent %s of 16 MiB (the seed's check: %q); the loop delivered all %s", ev.Human(float64(n)), seedErr, ev.Human(float64(r.n))), nil
})

func fromOneSendfile(c *ev.Ctx) (*ev.Evidence, error) { return oneSendfile.Get(c) }

// oneSplice is the shape of seed 000's spliceZeroCopy (§1.1.3, L117-141):
// file → pipe, then pipe → socket, one splice each, the counts ignored.
// Run in order here (the seed runs the first in a goroutine), so that the
// count is the pipe's capacity and not a race.
func c00005(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := src.Get(c)
	if err != nil {
		return nil, err
	}
	size := 1 << 20
	p, err := dial()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var fds [2]int
	if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
		return nil, err
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	toPipe, err := syscall.Splice(int(f.Fd()), nil, fds[1], nil, size, 0)
	if err != nil {
		return nil, err
	}
	rc, err := p.conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	var toSock int64
	var serr error
	if err := rc.Control(func(fd uintptr) {
		toSock, serr = syscall.Splice(fds[0], nil, int(fd), nil, size, 0)
	}); err != nil {
		return nil, err
	}
	p.drain()
	r := p.finish()
	pipeCap, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fds[0]), 1032 /* F_GETPIPE_SZ */, 0)
	e := ev.New("syscall.Splice file → pipe once and pipe → loopback socket once for a 1 MiB request, the way seed 000 calls it")
	e.Add("requested", float64(size), ev.Bytes)
	e.Add("file → pipe: bytes", float64(toPipe), ev.Bytes)
	e.Add("pipe → socket: bytes", float64(toSock), ev.Bytes)
	e.Add("receiver got", float64(r.n), ev.Bytes)
	if errno == 0 {
		e.Add("pipe capacity", float64(pipeCap), ev.Bytes)
	}
	e.B("the seed's function reports success", serr == nil)
	return e.Say("the receiver got %s of 1 MiB and the function returned %v: one splice moves at most the pipe's capacity", ev.Human(float64(r.n)), serr), nil
}

// d02 is seed 000 L74-75: tcpConn.Fd(). *net.TCPConn has no such method;
// io.Copy already takes the sendfile path.
func d02(c *ev.Ctx) (*ev.Evidence, error) {
	cnt, err := counts.Get(c)
	if err != nil {
		return nil, err
	}
	_, hasFd := reflect.TypeOf(&net.TCPConn{}).MethodByName("Fd")
	_, hasFile := reflect.TypeOf(&net.TCPConn{}).MethodByName("File")
	_, hasRaw := reflect.TypeOf(&net.TCPConn{}).MethodByName("SyscallConn")
	e := ev.New("the method set of *net.TCPConn (reflect, %s); and io.Copy(conn, file)'s read-family syscalls for 16 MiB", ev.Version())
	e.B("*net.TCPConn has Fd()", hasFd)
	e.B("*net.TCPConn has File()", hasFile)
	e.B("*net.TCPConn has SyscallConn()", hasRaw)
	e.Add("io.Copy(conn, file): read-family syscalls", cnt.Get("io.Copy(conn, file): read-family syscalls"), ev.Count)
	e.Add("file size", fileSize, ev.Bytes)
	e.Add("io.Copy's buffer", 32<<10, ev.Bytes)
	return e.Say("*net.TCPConn has no Fd() (File and SyscallConn: %v, %v), and io.Copy(conn, file) already sends 16 MiB with %.0f read-family syscalls",
		hasFile, hasRaw, cnt.Get("io.Copy(conn, file): read-family syscalls")), nil
}

// d06 is seed 000 L137: conn.(*net.TCPConn) without the ok form, handed a
// Unix socket connection.
func d06(*ev.Ctx) (*ev.Evidence, error) {
	dir, err := os.MkdirTemp("", "gocheck-unix-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("unix", filepath.Join(dir, "s"))
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Close()
		}
	}()
	conn, err := net.Dial("unix", filepath.Join(dir, "s"))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	panicked := func() (p bool) {
		defer func() { p = recover() != nil }()
		_ = conn.(*net.TCPConn)
		return false
	}()
	_, ok := conn.(*net.TCPConn)
	e := ev.New("a net.Conn from a Unix socket, asserted to *net.TCPConn without and with the ok form")
	e.B("unchecked assertion panics", panicked)
	e.B("checked assertion reports ok", ok)
	return e.Say("conn.(*net.TCPConn) on a Unix connection panics: %v; the ok form returns ok = %v", panicked, ok), nil
}

// serveOpen is seed 000's ServeFile path handling (L91-93): the root and
// the name joined as strings.
func serveOpen(root, name string) (*os.File, error) { return os.Open(root + "/" + name) }

// safeOpen confines name to root: clean it as an absolute path, resolve
// symlinks, require the result under root, and require a regular file.
func safeOpen(root, name string) (*os.File, error) {
	p := filepath.Join(root, filepath.Clean("/"+name))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, err
	}
	if real != realRoot && !strings.HasPrefix(real, realRoot+string(filepath.Separator)) {
		return nil, fs.ErrPermission
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	return os.Open(real)
}

func c00004(*ev.Ctx) (*ev.Evidence, error) {
	top, err := os.MkdirTemp("", "gocheck-serve-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(top)
	root := filepath.Join(top, "www")
	for _, d := range []string{root, filepath.Join(root, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	secret := filepath.Join(top, "secret.txt")
	if err := os.WriteFile(secret, []byte("the secret"), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(root, "ok.txt"), []byte("public"), 0o644); err != nil {
		return nil, err
	}
	if err := os.Symlink(secret, filepath.Join(root, "link.txt")); err != nil {
		return nil, err
	}
	hostile := []string{"../secret.txt", "sub/../../secret.txt", "./../secret.txt", "link.txt", "sub/../link.txt",
		"/../secret.txt", "../www/../secret.txt", secret}
	leaks := func(open func(string, string) (*os.File, error)) (leaked, dirs int) {
		for _, name := range append(hostile, "sub", ".") {
			f, err := open(root, name)
			if err != nil {
				continue
			}
			b, _ := io.ReadAll(f)
			st, _ := f.Stat()
			f.Close()
			if st != nil && st.IsDir() {
				dirs++
			}
			if bytes.Contains(b, []byte("the secret")) {
				leaked++
			}
		}
		return
	}
	l1, d1 := leaks(serveOpen)
	l2, d2 := leaks(safeOpen)
	okFile, err := safeOpen(root, "ok.txt")
	okServed := err == nil
	if okFile != nil {
		okFile.Close()
	}
	e := ev.New("%d hostile names (.., symlinks, absolute paths) and 2 directories requested from a root with a secret file beside it; the seed's string concatenation against a confined open", len(hostile))
	e.Add("hostile names", float64(len(hostile)), ev.Count)
	e.Add("concatenation: secrets leaked", float64(l1), ev.Count)
	e.Add("concatenation: directories opened", float64(d1), ev.Count)
	e.Add("confined open: secrets leaked", float64(l2), ev.Count)
	e.Add("confined open: directories opened", float64(d2), ev.Count)
	e.B("confined open: ok.txt served", okServed)
	return e.Say("string concatenation leaked the secret for %d of %d hostile names and opened %d directories; the confined open leaked %d", l1, len(hostile), d1, l2), nil
}

// c00022 is seed 000 §1.4.1 (L538-555): io.Copy from a file to a file.
func c00022(c *ev.Ctx) (*ev.Evidence, error) {
	s, err := src.Get(c)
	if err != nil {
		return nil, err
	}
	in, err := os.Open(s.path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	dst := filepath.Join(s.dir, "copy.bin")
	out, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	defer os.Remove(dst)
	defer out.Close()
	n, err := counted(func() error {
		_, err := io.Copy(out, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	in.Seek(0, io.SeekStart)
	out.Truncate(0)
	out.Seek(0, io.SeekStart)
	plain, err := counted(func() error {
		_, err := io.Copy(plainWriter{out}, plainReader{in})
		return err
	})
	if err != nil {
		return nil, err
	}
	e := ev.New("io.Copy from a 16 MiB file to a new file, and the same through a plain Reader/Writer; read-family syscalls on the copying thread")
	e.Add("file size", fileSize, ev.Bytes)
	e.Add("io.Copy(file, file): read-family syscalls", float64(n), ev.Count)
	e.Add("through plain Reader/Writer: read-family syscalls", float64(plain), ev.Count)
	e.Add("io.Copy's buffer", 32<<10, ev.Bytes)
	return e.Say("io.Copy(file, file) made %d read-family syscalls for 16 MiB (copy_file_range in the kernel); through its own buffer %d", n, plain), nil
}

// c00126 is seed 001 §6.1.1.5.3 (L391-404): io.Copy from a strings.Reader
// to a bytes.Buffer, called zero-copy.
func c00126(*ev.Ctx) (*ev.Evidence, error) {
	text := strings.Repeat("zero-copy? ", 100000)
	var dst bytes.Buffer
	var copied int64
	counts := alloc.Per(20, func() {
		dst = bytes.Buffer{}
		copied, _ = io.Copy(&dst, strings.NewReader(text))
	})
	srcPtr := uintptr(unsafe.Pointer((*reflect.StringHeader)(unsafe.Pointer(&text)).Data))
	dstPtr := uintptr(unsafe.Pointer(&dst.Bytes()[0]))
	e := ev.New("io.Copy(&bytes.Buffer{}, strings.NewReader(s)) for a %s string", ev.Human(float64(len(text))))
	e.Add("string length", float64(len(text)), ev.Bytes)
	e.Add("bytes copied", float64(copied), ev.Bytes)
	e.Add("heap bytes allocated per copy", counts.Bytes, ev.Bytes)
	e.B("the buffer shares the string's memory", srcPtr == dstPtr)
	e.B("the buffer's contents equal the string", dst.String() == text)
	return e.Say("the buffer holds its own copy (shares memory: %v) and %s were allocated for %s: one memcpy, no kernel involved", srcPtr == dstPtr, ev.Human(counts.Bytes), ev.Human(float64(len(text)))), nil
}

func init() {
	child.Register("zero-copy-write-to-closed-peer", writeToClosedPeer)
}

// writeToClosedPeer runs in a child: it writes to a connection whose peer
// has closed, and prints what Write returned. The process survives only
// if the runtime keeps SIGPIPE from killing it.
func writeToClosedPeer() {
	p, err := dial()
	if err != nil {
		fmt.Println("setup:", err)
		os.Exit(4)
	}
	p.peer.Close()
	time.Sleep(50 * time.Millisecond)
	var werr error
	buf := make([]byte, 64<<10)
	for i := 0; i < 64 && werr == nil; i++ {
		_, werr = p.conn.Write(buf)
	}
	switch {
	case errors.Is(werr, syscall.EPIPE):
		fmt.Println("EPIPE")
	case errors.Is(werr, syscall.ECONNRESET):
		fmt.Println("ECONNRESET")
	case werr == nil:
		fmt.Println("no error")
	default:
		fmt.Println("other:", werr)
	}
	_, ferr := os.Open(filepath.Join(os.TempDir(), "gocheck-no-such-file"))
	fmt.Println("missing file is ErrNotExist:", errors.Is(ferr, fs.ErrNotExist))
}

func c00213(*ev.Ctx) (*ev.Evidence, error) {
	o, err := child.Run("zero-copy-write-to-closed-peer", 20*time.Second)
	if err != nil {
		return nil, err
	}
	out := o.Stdout
	e := ev.New("a child process writes to a loopback connection whose peer has closed, and opens a missing file")
	e.B("the child survived (exit status 0)", o.ExitCode == 0 && o.Signal == "")
	e.B("the write returned EPIPE or ECONNRESET", strings.Contains(out, "EPIPE") || strings.Contains(out, "ECONNRESET"))
	e.B("a missing file is fs.ErrNotExist", strings.Contains(out, "ErrNotExist: true"))
	first := strings.SplitN(strings.TrimSpace(out), "\n", 2)[0]
	return e.Say("writing to a closed peer returned %s and the process lived on (exit %d%s); a missing file is a plain fs.ErrNotExist", first, o.ExitCode, sig(o)), nil
}

func sig(o child.Outcome) string {
	if o.Signal != "" {
		return ", " + o.Signal
	}
	return ""
}

func init() {
	ev.Register("zero_copy", map[string]func(*ev.Ctx) (*ev.Evidence, error){
		"C000-03": fromOneSendfile,
		"D01":     fromOneSendfile,
		"C000-04": c00004,
		"D03":     c00004,
		"C000-05": c00005,
		"D04":     c00005,
		"C000-22": c00022,
		"C001-26": c00126,
		"D36":     c00126,
		"C002-13": c00213,
		"D02":     d02,
		"D06":     d06,
	})
}
