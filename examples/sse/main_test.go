//go:build unix

package main

import (
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/workerman-go/workerman/internal/nettest"
)

// TestProgram builds this example, starts it in the foreground as a user
// would, and checks what it puts on the wire against Workerman's bytes: "ok"
// for a plain request, the event-stream head and then the 2-second event.
func TestProgram(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example; waits for its 2-second timer")
	}
	const addr = "127.0.0.1:8080"
	// Other tests run this example too: whoever locks its source file has
	// the port until its cleanup, which runs after the example's own.
	src, err := os.Open("main.go")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	if err := syscall.Flock(int(src.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatalf("lock main.go: %v", err)
	}
	nettest.NeedPort(t, "8080")
	dir := t.TempDir()
	bin := filepath.Join(dir, "sse")
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the example: %v", err)
	}
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	cmd := exec.Command(bin, "start")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// Stop as Ctrl+C would; anything left of the process group is killed.
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			t.Error("the example did not stop on SIGINT")
		}
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})

	var c net.Conn
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if c, err = net.Dial("tcp", addr); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the example never listened on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))

	const ok = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Type: text/html;charset=utf-8\r\nContent-Length: 2\r\n\r\nok"
	c.Write([]byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"))
	if got := read(t, c, len(ok)); got != ok {
		t.Fatalf("plain request:\n got %q\nwant %q", got, ok)
	}

	// The same keep-alive connection turns into an event stream.
	const head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n"
	const event = "event: message\nid: 1\ndata: hello\n\n"
	c.Write([]byte("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: text/event-stream\r\n\r\n"))
	if got := read(t, c, len(head)+len(event)); got != head+event {
		t.Fatalf("event stream:\n got %q\nwant %q", got, head+event)
	}
}

func read(t *testing.T, c net.Conn, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatalf("reading %d bytes: %v (got %q)", n, err, b)
	}
	return string(b)
}
