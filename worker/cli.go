package worker

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/urfave/cli/v2"
)

// usage is the help text: Workerman's, with the flags Go users gain.
const usage = `Usage: {{.Name}} <command> [mode]
Commands:
start		Start worker in DEBUG mode.
		Use mode -d to start in DAEMON mode.
		Use mode -s to run every worker in this one process.
stop		Stop worker.
		Use mode -g to stop gracefully.
restart		Restart workers.
		Use mode -d to start in DAEMON mode.
		Use mode -g to stop gracefully.
reload		Reload codes.
		Use mode -g to reload gracefully.
status		Get worker status.
		Use mode -d to show live status, --json for scripts.
connections	Get worker connections.
		Use --json for scripts.
Options: --help, --version
`

// shown is an error the command has already told the user about.
type shown struct{ error }

func (e shown) Unwrap() error { return e.error }

// errNotRunning and errRunning are what commands report about the master.
var (
	errNotRunning = errors.New("not run")
	errRunning    = errors.New("already running")
)

func newApp() *cli.App {
	p := newProgram()
	daemon := &cli.BoolFlag{Name: "daemon", Aliases: []string{"d"}, Usage: "run in the background"}
	graceful := &cli.BoolFlag{Name: "graceful", Aliases: []string{"g"}, Usage: "let connections finish"}
	asJSON := &cli.BoolFlag{Name: "json", Usage: "print JSON"}
	app := &cli.App{
		Name:                  p.name,
		Version:               Version,
		CustomAppHelpTemplate: usage,
		HideHelpCommand:       true,
		ExitErrHandler:        func(*cli.Context, error) {}, // RunArgs returns errors, RunAll exits
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return fmt.Errorf("unknown command: %s (see %s --help)", c.Args().First(), p.invoke)
			}
			cli.ShowAppHelp(c)
			return errors.New("no command given")
		},
		Commands: []*cli.Command{
			{
				Name:  "start",
				Usage: "start the workers",
				Flags: []cli.Flag{daemon, &cli.BoolFlag{Name: "single", Aliases: []string{"s"}, Usage: "serve every worker in this process"}},
				Action: func(c *cli.Context) error {
					return p.start(startModeOf(c))
				},
			},
			{
				Name:  "stop",
				Usage: "stop the workers",
				Flags: []cli.Flag{graceful},
				Action: func(c *cli.Context) error {
					p.log(p.tag() + " stop")
					pid, err := p.running()
					if err != nil {
						return err
					}
					return p.stop(pid, stopModeOf(c))
				},
			},
			{
				Name:  "restart",
				Usage: "stop, then start",
				Flags: []cli.Flag{daemon, graceful},
				Action: func(c *cli.Context) error {
					p.log(p.tag() + " restart")
					if pid, _ := p.findMaster(); pid != 0 { // start says why a pid file is stale
						if err := p.stop(pid, stopModeOf(c)); err != nil {
							return err
						}
					}
					return p.start(startModeOf(c))
				},
			},
			{
				Name:  "reload",
				Usage: "replace the worker processes with fresh ones",
				Flags: []cli.Flag{graceful},
				Action: func(c *cli.Context) error {
					p.log(p.tag() + " reload")
					pid, err := p.running()
					if err != nil {
						return err
					}
					mode := reloadNow
					if c.Bool("graceful") {
						mode = reloadGraceful
					}
					return signalMaster(pid, mode)
				},
			},
			{
				Name:  "status",
				Usage: "print the status of every process",
				Flags: []cli.Flag{&cli.BoolFlag{Name: "live", Aliases: []string{"d"}, Usage: "refresh every second"}, asJSON},
				Action: func(c *cli.Context) error {
					return p.status(c.Bool("live"), c.Bool("json"))
				},
			},
			{
				Name:  "connections",
				Usage: "print every connection of every process",
				Flags: []cli.Flag{asJSON},
				Action: func(c *cli.Context) error {
					return p.connections(c.Bool("json"))
				},
			},
		},
	}
	return app
}

// startMode is how start runs the program.
type startMode int

const (
	foreground    startMode = iota // the master in this process (start)
	daemonized                     // the master in the background (start -d)
	singleProcess                  // every worker in this process, no master (start -s)
)

func startModeOf(c *cli.Context) startMode {
	switch {
	case c.Bool("single"):
		return singleProcess
	case c.Bool("daemon") || Daemonize:
		return daemonized
	}
	return foreground
}

func stopModeOf(c *cli.Context) drainMode {
	if c.Bool("graceful") {
		return stopGraceful
	}
	return stopNow
}

// tag is how messages name the program: Workerman[app].
func (p *program) tag() string { return "Workerman[" + p.name + "]" }

// running returns the master's pid, or errNotRunning.
func (p *program) running() (int, error) {
	pid := p.masterPid()
	if pid == 0 {
		p.log(p.tag() + " not run")
		return 0, shown{fmt.Errorf("%s %w", p.tag(), errNotRunning)}
	}
	return pid, nil
}

func (p *program) start(mode startMode) error {
	if mode == singleProcess || !multiProcess {
		if mode != singleProcess {
			fmt.Printf("%s runs every worker in one process on %s\n", p.tag(), platformName())
		}
		return p.runSingle()
	}
	if p.masterPid() != 0 {
		p.log(p.tag() + " already running")
		return shown{fmt.Errorf("%s %w", p.tag(), errRunning)}
	}
	if mode == daemonized {
		p.log(p.tag() + " start in DAEMON mode")
		return p.startDaemon()
	}
	p.log(p.tag() + " start in DEBUG mode")
	return runMaster(p, nil)
}

// stop asks the master pid to stop and waits for it to go, polling every
// 10 ms.
func (p *program) stop(pid int, mode drainMode) error {
	if mode.graceful() {
		p.log(p.tag() + " is gracefully stopping ...")
	} else {
		p.log(p.tag() + " is stopping ...")
	}
	if err := signalMaster(pid, mode); err != nil {
		return err
	}
	deadline := time.Now().Add(StopTimeout + 3*time.Second)
	for processAlive(pid) {
		if !mode.graceful() && time.Now().After(deadline) {
			p.log(p.tag() + " stop fail")
			return shown{fmt.Errorf("%s stop fail: master %d still runs", p.tag(), pid)}
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.log(p.tag() + " stop success")
	return nil
}

func (p *program) status(live, asJSON bool) error {
	if !asJSON {
		p.log(p.tag() + " status")
	}
	pid, err := p.running()
	if err != nil {
		return err
	}
	var prev *statusReport
	var interrupt chan os.Signal
	if live {
		interrupt = make(chan os.Signal, 1)
		signal.Notify(interrupt, os.Interrupt)
		defer signal.Stop(interrupt)
	}
	for {
		r, err := queryStatus(p, pid)
		if err != nil {
			return err
		}
		r.computeQPS(prev)
		prev = r
		if asJSON {
			if err := writeJSON(os.Stdout, r); err != nil {
				return err
			}
		} else {
			if live {
				fmt.Print("\033[H\033[2J\033(B\033[m")
			}
			fmt.Print(r.format())
		}
		if !live {
			return nil
		}
		if !asJSON {
			fmt.Print("\nPress Ctrl+C to quit.\n\n")
		}
		select {
		case <-interrupt:
			return nil
		case <-time.After(time.Second):
		}
	}
}

func (p *program) connections(asJSON bool) error {
	if !asJSON {
		p.log(p.tag() + " connections")
	}
	pid, err := p.running()
	if err != nil {
		return err
	}
	cs, err := queryConnections(p, pid)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSON(os.Stdout, cs)
	}
	fmt.Print(formatConnections(cs))
	return nil
}
