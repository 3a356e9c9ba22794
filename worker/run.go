package worker

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// All returns every worker made with New, in order.
func All() []*Worker {
	registryMu.Lock()
	defer registryMu.Unlock()
	return append([]*Worker(nil), registry...)
}

// RunAll serves every worker made with New in this process until SIGINT or
// SIGTERM, then stops them and exits.
func RunAll() {
	if err := runForeground(All()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runForeground(ws []*Worker) error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	g, err := Start(ws...)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.Addr() != nil {
			fmt.Printf("%s listening on %s\n", w.DisplayName(), w.Addr())
		}
	}
	<-sig
	g.Stop()
	return nil
}
