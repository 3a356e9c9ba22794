package worker

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// runSingle serves every worker in this process, on its one event loop,
// until SIGINT or SIGTERM: start -s, and start on platforms without the
// master.
func (p *program) runSingle() error {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	ws := All()
	g, err := startGroup(ws, metricsAddr())
	if err != nil {
		return err
	}
	fmt.Print(banner(ws))
	if g.metrics != nil {
		p.log(fmt.Sprintf("%s serves metrics on http://%s/metrics", p.tag(), g.metrics))
	}
	fmt.Println("Press Ctrl+C to stop. Start success.")
	<-sig
	g.Stop()
	return nil
}
