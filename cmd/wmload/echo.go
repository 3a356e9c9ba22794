package main

import (
	"bytes"
	"flag"
	"io"
)

func runEcho(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		c    common
		lf   loadFlags
		size int
	)
	c.register(fs)
	lf.register(fs)
	fs.IntVar(&size, "size", 16, "bytes per line sent, newline excluded")
	t, err := c.parse(fs, args)
	if err == nil {
		err = lf.check("echo")
	}
	if err == nil {
		err = checkRange("echo", "size", int64(size), 1, 1<<20)
	}
	if err != nil {
		return err
	}
	line := append(bytes.Repeat([]byte("x"), size), '\n')
	rt := lf.roundTrip(&c, t, line, lineFrame)
	return writeLoad(stdout, &c, measureRounds("echo", "text://"+t.host, &lf, rt))
}

// lineFrame finds the first line in buf: the text protocol's reply.
func lineFrame(buf []byte) (frameInfo, error) {
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return frameInfo{}, nil
	}
	return frameInfo{size: i + 1}, nil
}
