// Command nethttp is the standard library's peer in the benchmark: a
// net/http server that answers every request with "ok".
//
//	GOMAXPROCS=2 nethttp -addr 127.0.0.1:8082
//	GOMAXPROCS=2 nethttp -addr 127.0.0.1:8443 -cert cert.pem -key key.pem   # https
package main

import (
	"context"
	"crypto/tls"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8082", "listen address")
	cert := flag.String("cert", "", "TLS certificate file: serve https with -key")
	key := flag.String("key", "", "TLS key file")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			log.Fatal(err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{pair}, NextProtos: []string{"http/1.1"}})
	}
	s := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html;charset=utf-8")
		w.Write([]byte("ok"))
	})}
	go func() {
		if err := s.Serve(ln); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	s.Shutdown(context.Background())
}
