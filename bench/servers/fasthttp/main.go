// Command fasthttp is the benchmark's reference peer: a fasthttp.Server that
// answers every request with "ok". Ratios in the benchmark table are against
// it. GOMAXPROCS (from the environment) sets how many cores it may use.
//
//	GOMAXPROCS=2 fasthttp -addr 127.0.0.1:8081
//	GOMAXPROCS=2 fasthttp -addr 127.0.0.1:8443 -cert cert.pem -key key.pem   # https
package main

import (
	"crypto/tls"
	"flag"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/valyala/fasthttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
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
	s := &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			ctx.SetContentType("text/html;charset=utf-8")
			ctx.WriteString("ok")
		},
	}
	go func() {
		if err := s.Serve(ln); err != nil {
			log.Fatal(err)
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	s.Shutdown()
}
