package benchenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/workerman-go/workerman/timer"
	"github.com/workerman-go/workerman/worker"
)

// String is the variable's value, or def when it is unset or empty.
func String(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Duration is the variable's value as a time.Duration ("2s"), or def.
func Duration(name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		panic(name + " must be a duration such as 2s")
	}
	return d
}

// Worker is an HTTP worker named name on WM_ADDR with WM_COUNT processes,
// over TLS with the certificate and key files TLS_CERT and TLS_KEY when set.
// The pid file is named after the address too, so that servers of one
// binary on other ports run beside it.
func Worker(name string) *worker.Worker {
	count, err := strconv.Atoi(String("WM_COUNT", "1"))
	if err != nil || count < 1 {
		panic("WM_COUNT must be a positive number")
	}
	addr := String("WM_ADDR", "127.0.0.1:8080")
	if worker.PidFile == "" {
		worker.PidFile = filepath.Join(worker.DefaultDir(),
			fmt.Sprintf("workerman.%s.%s.pid", filepath.Base(os.Args[0]), strings.ReplaceAll(addr, ":", "_")))
	}
	w := worker.New("http://" + addr)
	w.Name = name
	w.Count = count
	if cert, key := os.Getenv("TLS_CERT"), os.Getenv("TLS_KEY"); cert != "" {
		conf, err := worker.LoadTLS(cert, key)
		if err != nil {
			panic(err)
		}
		w.Transport, w.TLS = "ssl", conf
	}
	return w
}

// Profile, called on a worker process's loop (in OnWorkerStart), writes a
// CPU profile of the process's first WM_CPUPROFILE_FOR (10s) to
// WM_CPUPROFILE.<pid>, for `go tool pprof`; without WM_CPUPROFILE it does
// nothing.
func Profile() {
	path := os.Getenv("WM_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, os.Getpid()))
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	timer.Once(Duration("WM_CPUPROFILE_FOR", 10*time.Second), func() {
		pprof.StopCPUProfile()
		f.Close()
	})
}
