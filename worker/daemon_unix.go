//go:build unix

package worker

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// startDaemon starts the master in the background: the program runs again
// in a new session, its input from /dev/null, its output to StdoutFile, and
// reports on a pipe once every child serves. The pid file is written by
// then, so `start -d && status` works.
func (p *program) startDaemon() error {
	out, err := os.OpenFile(StdoutFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("worker: StdoutFile: %w", err)
	}
	defer out.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(p.executable(), os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(childEnv(), envDaemon+"=1")
	cmd.ExtraFiles = []*os.File{w} // the daemon's parentFD
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return fmt.Errorf("worker: start daemon: %w", err)
	}
	cmd.Process.Release()
	answer := make(chan string, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			line = err.Error()
		}
		answer <- strings.TrimSpace(line)
	}()
	select {
	case a := <-answer:
		if a != "ok" {
			if a == "" {
				a = "the daemon exited; see " + StdoutFile + " and " + p.logFile
			}
			return fmt.Errorf("%s start failed: %s", p.tag(), a)
		}
	case <-time.After(readyTimeout + 5*time.Second):
		return fmt.Errorf("%s start failed: the daemon did not report within %s", p.tag(), readyTimeout+5*time.Second)
	}
	fmt.Print(banner(All()))
	fmt.Printf("Input \"%s stop\" to stop. Start success.\n\n", p.invoke)
	return nil
}

// daemonNotify is the pipe a daemonized master reports on, nil in any
// other process.
func daemonNotify() *os.File {
	if os.Getenv(envDaemon) == "" {
		return nil
	}
	os.Unsetenv(envDaemon)
	return os.NewFile(parentFD, "notify")
}
