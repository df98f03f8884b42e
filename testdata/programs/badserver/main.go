// Command badserver is an HTTP server that misbehaves in every way a pprof
// endpoint can, for gleak's URL tests: it stalls, answers 404, sends an HTML
// login page, sends a body that never ends, closes the connection in the
// middle of a body, and redirects forever. /ok serves a real goroutine dump
// (runtime.Stack), /gzip the same with Content-Encoding: gzip, /redirect
// sends to /ok, and /protected wants "Authorization: Bearer s3cret". It listens on 127.0.0.1 and
// prints "READY pid=N http=ADDR other=ADDR https=ADDR".
//
// For the hostile-server tests (gleak issue 14) it also serves: /gzipbomb?mib=N, a dump whose
// gzip Content-Encoding inflates past N MiB of NUL bytes; /cross, a redirect to the same
// handlers on another port (another origin), where /nosecret fails when the X-Gleak-Secret
// header arrives; /sameorigin, a redirect to /protected on the same origin; /typeesc, an HTML
// answer whose Content-Type carries terminal escape sequences; /nolf, a dump cut inside its
// last file line, without a final newline; and, on the https listener (a certificate made at
// start for 127.0.0.1, its PEM written to -cert FILE), the same handlers plus /tohttp, a
// redirect to http.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

func dump() []byte {
	buf := make([]byte, 1<<20)
	return buf[:runtime.Stack(buf, true)]
}

// A self-signed certificate for 127.0.0.1, made now: nothing secret is committed.
func selfSigned(pemPath string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "badserver test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if pemPath != "" {
		if err := os.WriteFile(pemPath, certPEM, 0o644); err != nil {
			return tls.Certificate{}, err
		}
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
}

var bombs sync.Map // MiB -> gzip bytes

// A dump with N MiB of NUL bytes in the middle, gzip-compressed (about 1 KiB per MiB).
func gzipBomb(mib int) []byte {
	if b, ok := bombs.Load(mib); ok {
		return b.([]byte)
	}
	var out bytes.Buffer
	z, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	z.Write(dump())
	zeros := make([]byte, 1<<20)
	for i := 0; i < mib; i++ {
		z.Write(zeros)
	}
	z.Write([]byte("\n\n"))
	z.Write(dump())
	z.Close()
	bombs.Store(mib, out.Bytes())
	return out.Bytes()
}

func listen(addr string) net.Listener {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return ln
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	certPath := flag.String("cert", "", "write the https certificate (PEM) here")
	flag.Parse()
	ln := listen(*addr)
	other := listen("127.0.0.1:0")
	secure := listen("127.0.0.1:0")
	block := make(chan struct{})
	for i := 0; i < 3; i++ {
		go func() { <-block }() // something to see in /ok
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(dump())
	})
	mux.HandleFunc("/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		z := gzip.NewWriter(w)
		z.Write(dump())
		z.Close()
	})
	mux.HandleFunc("/protected", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(dump())
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("goroutine 1 [running]:\n"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Minute):
		}
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte("<html><body><form>Sign in</form></body></html>\n"))
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		block := []byte(strings.Repeat("goroutine 7 [chan send]:\nmain.f()\n\t/x/main.go:1 +0x1\n\n", 1000))
		for r.Context().Err() == nil {
			if _, err := w.Write(block); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		body := dump()
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)*2))
		w.Write(body)
		w.(http.Flusher).Flush()
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})

	mux.HandleFunc("/gzipbomb", func(w http.ResponseWriter, r *http.Request) {
		mib, _ := strconv.Atoi(r.URL.Query().Get("mib"))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipBomb(mib))
	})
	mux.HandleFunc("/cross", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+other.Addr().String()+"/nosecret", http.StatusFound)
	})
	mux.HandleFunc("/nosecret", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Gleak-Secret") != "" {
			http.Error(w, "the secret header reached another origin", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(dump())
	})
	mux.HandleFunc("/sameorigin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/protected", http.StatusFound)
	})
	mux.HandleFunc("/typeesc", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = []string{"text/html\x1b]0;pwned\x07\x1b[2J\xc2\x9b31m"}
		w.Write([]byte("<html></html>\n"))
	})
	mux.HandleFunc("/nolf", func(w http.ResponseWriter, r *http.Request) {
		body := dump()
		// Cut inside the last "file.go:NN" of the dump: after the first digit of its line number.
		cut := bytes.LastIndex(body, []byte(".go:")) + len(".go:") + 1
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body[:cut])
	})
	mux.HandleFunc("/tohttp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+ln.Addr().String()+"/ok", http.StatusFound)
	})

	cert, err := selfSigned(*certPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go http.Serve(other, mux)
	go http.Serve(tls.NewListener(secure, &tls.Config{Certificates: []tls.Certificate{cert}}), mux)
	fmt.Printf("READY pid=%d http=%s other=%s https=%s\n", os.Getpid(), ln.Addr(), other.Addr(),
		secure.Addr())
	http.Serve(ln, mux)
}
