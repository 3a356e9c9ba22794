// Command wmload is the load generator of Workerman-Go's benchmarks: it
// drives a server on the same machine and reports throughput, latency
// percentiles and errors, as text or as one line of JSON for scripts.
//
//	wmload http -c 100 -p 16 -d 5s -rounds 3 http://127.0.0.1:8080/
//	wmload sse  -c 10000 -d 6s -server-pid 1234 http://127.0.0.1:8080/
//	wmload sse  -c 15000 -d 30s -every 2s -src 127.0.0.2,127.0.0.3 http://127.0.0.1:8080/
//	wmload sse  -c 10000 -d 12s -readers 1 http://127.0.0.1:8080/
//	wmload echo -c 50 -d 5s 127.0.0.1:5678
//	wmload handshake -c 64 -tls 1.2 -d 3s https://127.0.0.1:8443/
//
// Modes:
//   - http: -c keep-alive connections, each writing -p requests in one
//     write (pipelining, as wrk does) and reading every response before the
//     next batch. Each response is timed from the write of its batch to the
//     read that completed it, so percentiles under pipelining describe
//     responses. wrk records one sample per batch and then "corrects" it
//     with an interval derived from responses, which invents samples below
//     its minimum.
//   - sse: -c EventSource-like clients connect (at most -concurrency at a
//     time), read the response head, then read events until the end. It
//     reports the time until every client had its head and its first event,
//     the steady event rate (for each client, the events after its first
//     over the time from its first to its last, summed), and, for events
//     whose data starts with "ts=<Unix nanoseconds>", the send-to-receipt
//     latency of every receipt and of the last receipt of each stamp (a
//     broadcast). With -every the stamps are taken as the times events were
//     due, one per client every -every: a receipt more than -late after its
//     stamp is late, and a step between a client's stamps longer than the
//     period, or a stretch before the end with none, counts the events
//     missed. -src spreads the clients over loopback source addresses
//     (bound before connecting), each with its own ephemeral ports, and a
//     run refuses more clients than the process may open descriptors; the
//     soft limit is raised to the hard one first, so beyond it run several
//     wmload processes. -readers N (Linux) reads the streams from N
//     goroutines with an epoll set each, instead of a goroutine per client,
//     so that the load takes less of the CPU a server on the same machine
//     needs; the report, which gives wmload's own CPU time, is the same.
//     With -server-pid it reads the server's resident memory (summed over its
//     process tree) before connecting, once every client is connected, once
//     every client has an event, and its peak (VmHWM) at the end of the run.
//   - echo: like http, with one line of the text protocol as the request
//     and one line back as the response.
//   - handshake: -c clients, each in a loop of connect, a full TLS handshake
//     (-tls 1.3 or 1.2, offered alone; the clients keep no session cache, so
//     nothing is resumed), one GET, its response, and a close with
//     close_notify. It reports completed connections a second, the time
//     from the start of the connect to the end of the handshake and to the
//     end of the response, failures by step (connect, handshake, write,
//     read, parse), what the first handshake negotiated (version, key
//     exchange, cipher suite, the certificate's key) and its own CPU time:
//     a client's half of a handshake (for an ECDSA certificate, verifying
//     the signature costs more than making it) runs on the same cores as
//     the server's.
//   - table: reads -json reports labelled with the server they measured,
//     one per line, and prints the Markdown tables of bench/README.md, with
//     req/s as ratios against a reference server of the same run.
//
// Bounds, so that no run can get away from whoever started it:
//   - every run ends after -d (at most 10 minutes); http and echo also stop
//     after -n requests per round, handshake after -n connections, sse
//     holds exactly -c clients;
//   - only loopback targets are accepted: 127.0.0.0/8, ::1 and localhost.
//     Names are never resolved.
//
// Caveats:
//   - wmload shares the machine with the server it measures: compare servers
//     by ratios measured in the same run, never by absolute numbers across
//     runs.
//   - Responses must be delimited by Content-Length or chunked framing; a
//     response that ends at the close of the connection is reported as a
//     parse error.
//   - Flags come before the target, as with every Go command.
package main
