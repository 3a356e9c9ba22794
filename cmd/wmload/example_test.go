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
// Markdown, with req/s as ratios against the reference server.
func Example_table() {
	f, err := os.CreateTemp("", "wmload-results-*.jsonl")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	fmt.Fprintln(f, `{"server":"fasthttp (GOMAXPROCS 2)","report":{"mode":"http","depth":16,"rps":800000,"rps_min":790000,"rps_max":810000,"latency_ms":{"p50":1.5,"p99":4,"max":9}}}`)
	fmt.Fprintln(f, `{"server":"Workerman-Go c2","report":{"mode":"http","depth":16,"rps":1200000,"rps_min":1150000,"rps_max":1250000,"latency_ms":{"p50":1.1,"p99":3,"max":7}}}`)
	f.Close()
	if err := run([]string{"table", f.Name()}, os.Stdout, os.Stderr); err != nil {
		panic(err)
	}
	// Output:
	// | server | mode | req/s median (min–max) | × fasthttp (GOMAXPROCS 2) | p50 / p99 / max ms | server CPU µs/req | errors |
	// | --- | --- | --- | --- | --- | --- | --- |
	// | fasthttp (GOMAXPROCS 2) | pipelined ×16 | 800,000 (790,000–810,000) | 1.00 | 1.50 / 4.00 / 9.0 | – | 0 |
	// | Workerman-Go c2 | pipelined ×16 | 1,200,000 (1,150,000–1,250,000) | 1.50 | 1.10 / 3.00 / 7.0 | – | 0 |
}
