package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// selfCPU is this process's user+system CPU time so far, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// sampleTree sums VmRSS and VmHWM (the peak) over pid and all its
// descendants, so that a master with worker processes counts as one server.
func sampleTree(pid int) (memorySample, error) {
	var s memorySample
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		kb, hwm, err := rssKB(p)
		if err != nil {
			if p == pid {
				return s, err
			}
			continue // a child that exited meanwhile
		}
		s.rssKB += kb
		s.peakKB += hwm
		s.processes++
		queue = append(queue, childrenOf(p)...)
	}
	return s, nil
}

// rssKB reads a process's resident memory now and at its peak (VmHWM).
func rssKB(pid int) (rss, peak int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("reading the memory of server process %d: %w", pid, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	found := 0
	for sc.Scan() && found < 2 {
		line := sc.Text()
		for name, v := range map[string]*int64{"VmRSS:": &rss, "VmHWM:": &peak} {
			if rest, ok := strings.CutPrefix(line, name); ok {
				if *v, err = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err != nil {
					return 0, 0, fmt.Errorf("server process %d: %s %w", pid, name, err)
				}
				found++
			}
		}
	}
	if found < 2 {
		return 0, 0, fmt.Errorf("server process %d has no VmRSS or VmHWM in /proc (a zombie?)", pid)
	}
	return rss, peak, nil
}

func childrenOf(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var kids []int
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range bytes.Fields(b) {
			if k, err := strconv.Atoi(string(f)); err == nil {
				kids = append(kids, k)
			}
		}
	}
	return kids
}
