package cluster

import (
	"strings"
	"testing"
)

func TestServerOptionsRouteWithTheSecretAndRefuseWhatCannotWork(t *testing.T) {
	c := config{routes: "nats://10.0.0.1:6222,nats://10.0.0.2:6222", listen: "10.0.0.1:6222", secret: "s3cret"}
	o, err := c.serverOptions("token", true)
	if err != nil {
		t.Fatal(err)
	}
	if o.Host != "127.0.0.1" || o.Authorization != "token" || o.DontListen {
		t.Errorf("client port: host %q, token %q, not listening %v; want loopback with the token", o.Host, o.Authorization, o.DontListen)
	}
	if o.Cluster.Host != "10.0.0.1" || o.Cluster.Port != 6222 || o.Cluster.Password != "s3cret" {
		t.Errorf("cluster port %s:%d, password %q", o.Cluster.Host, o.Cluster.Port, o.Cluster.Password)
	}
	if len(o.Routes) != 2 {
		t.Fatalf("%d routes, want 2", len(o.Routes))
	}
	for _, u := range o.Routes {
		if p, _ := u.User.Password(); p != "s3cret" {
			t.Errorf("route %s does not give the secret", u.Host)
		}
	}
	for _, tc := range []struct {
		c    config
		want string
	}{
		{config{routes: "nats://10.0.0.2:6222"}, "WM_NATS_CLUSTER_LISTEN is not"},
		{config{listen: "6222"}, "want host:port"},
		{config{listen: "0.0.0.0:port"}, "want host:port"},
		{config{listen: "0.0.0.0:6222", routes: "nats://:6222"}, "want nats://host:port"},
		{config{listen: "0.0.0.0:6222", routes: "nats://10.0.0.2"}, "want nats://host:port"},
		{config{listen: "0.0.0.0:6222", routes: "nats://10.0.0.2:6222,"}, "want nats://host:port"},
		{config{listen: "0.0.0.0:6222", routes: "nats://%zz:6222"}, "want nats://host:port"},
	} {
		if _, err := tc.c.serverOptions("token", true); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one with %q", tc.c, err, tc.want)
		}
	}
}
