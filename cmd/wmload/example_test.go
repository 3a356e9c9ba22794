package main

import (
	"fmt"
	"io"
	"os"
)

// Only this machine can be loaded: other addresses are refused before any
// connection is made, and names other than localhost are never resolved.
func Example_loopbackOnly() {
	err := run([]string{"http", "-c", "1", "http://192.0.2.1:8080/"}, io.Discard, io.Discard)
	fmt.Println(err)
	// Output: target "http://192.0.2.1:8080/": address 192.0.2.1 is not loopback: wmload only loads 127.0.0.0/8 and ::1
}

// The table mode turns the labelled -json reports of a benchmark run into
// Markdown, with req/s as ratios against the reference server. The two
// reports here are invented, with round numbers, to show the arithmetic: the
// candidate's 1,500 req/s against the reference's 1,000 reads 1.50, and one
// second of server CPU over 10,000 and 20,000 responses reads 100 and 50 µs
// per request.
func Example_table() {
	f, err := os.CreateTemp("", "wmload-results-*.jsonl")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	fmt.Fprintln(f, `{"server":"reference","cpu_s":1,"report":{"mode":"http","depth":16,"rps":1000,"rps_min":900,"rps_max":1100,"responses":10000,"latency_ms":{"p50":1,"p99":2,"max":3}}}`)
	fmt.Fprintln(f, `{"server":"candidate","cpu_s":1,"report":{"mode":"http","depth":16,"rps":1500,"rps_min":1500,"rps_max":1500,"responses":20000,"latency_ms":{"p50":1,"p99":2,"max":3}}}`)
	f.Close()
	if err := run([]string{"table", "-ref", "reference", f.Name()}, os.Stdout, os.Stderr); err != nil {
		panic(err)
	}
	// Output:
	// | server | mode | req/s median (min–max) | × reference | p50 / p99 / max ms | server CPU µs/req | errors |
	// | --- | --- | --- | --- | --- | --- | --- |
	// | reference | pipelined ×16 | 1,000 (900–1,100) | 1.00 | 1.00 / 2.00 / 3.0 | 100.0 | 0 |
	// | candidate | pipelined ×16 | 1,500 (1,500–1,500) | 1.50 | 1.00 / 2.00 / 3.0 | 50.0 | 0 |
}
