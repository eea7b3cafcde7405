// Package ldaptest runs a real OpenLDAP slapd for tests: on free loopback
// ports, from a temporary directory, with test entries (testdata/entries.ldif:
// users under ou=people, groups under ou=groups, a reader account). When
// slapd is missing it installs the distribution's package (as root, with
// apt-get), else the caller should skip. It never touches the system's
// slapd configuration, data or service.
package ldaptest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"embed"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

//go:embed testdata
var files embed.FS

//go:embed testdata/install-slapd.sh
var installScript string

// The directory's base DN and the reader account the servers accept.
const (
	BaseDN       = "dc=example,dc=org"
	BindDN       = "cn=reader,ou=system,dc=example,dc=org"
	BindPassword = "reader-secret"
)

// Server is a running slapd: URL is ldap://127.0.0.1:port, LDAPSURL
// ldaps://127.0.0.1:port with a self-signed certificate. Stop it when done.
type Server struct {
	URL      string // ldap://127.0.0.1:port
	LDAPSURL string // ldaps://127.0.0.1:port (self-signed certificate)
	dir      string
	cmd      *exec.Cmd
	exited   chan struct{}
	output   *syncBuffer
}

// findSlapd looks for the slapd binary; when it is missing it runs
// testdata/install-slapd.sh, which installs the distribution's package when
// this is root on a machine with apt-get.
func findSlapd() (path, skip string, err error) {
	look := func() string {
		if p, err := exec.LookPath("slapd"); err == nil {
			return p
		}
		for _, p := range []string{"/usr/sbin/slapd", "/usr/local/sbin/slapd", "/usr/libexec/slapd", "/usr/local/libexec/slapd"} {
			if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
				return p
			}
		}
		return ""
	}
	if p := look(); p != "" {
		return p, "", nil
	}
	install := exec.Command("sh", "-c", installScript)
	var out bytes.Buffer
	install.Stdout, install.Stderr = &out, &out
	fmt.Fprintln(os.Stderr, "ldapdir: slapd not found, running testdata/install-slapd.sh")
	err = install.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return "", "OpenLDAP slapd is not installed and cannot be installed here: " + strings.TrimSpace(out.String()), nil
	case err != nil:
		return "", "", fmt.Errorf("installing slapd: %v\n%s", err, out.String())
	}
	if p := look(); p != "" {
		return p, "", nil
	}
	return "", "", fmt.Errorf("slapd still not found after installing it:\n%s", out.String())
}

func firstExisting(candidates []string, file string) string {
	for _, dir := range candidates {
		if _, err := os.Stat(filepath.Join(dir, file)); err == nil {
			return dir
		}
	}
	return ""
}

func Start() (_ *Server, skip string, err error) {
	bin, skip, err := findSlapd()
	if skip != "" || err != nil {
		return nil, skip, err
	}
	schema := firstExisting([]string{"/etc/ldap/schema", "/etc/openldap/schema", "/usr/local/etc/openldap/schema", "/usr/share/openldap/schema"}, "inetorgperson.schema")
	if schema == "" {
		return nil, "", errors.New("no OpenLDAP schema directory with inetorgperson.schema found")
	}
	modules := ""
	moduleDirs := []string{"/usr/lib/ldap", "/usr/lib64/openldap", "/usr/lib/openldap", "/usr/libexec/openldap", "/usr/local/libexec/openldap"}
	if dir := firstExisting(moduleDirs, "back_mdb.la"); dir != "" {
		modules = "modulepath " + dir + "\nmoduleload back_mdb"
	} else if dir := firstExisting(moduleDirs, "back_mdb.so"); dir != "" {
		modules = "modulepath " + dir + "\nmoduleload back_mdb.so"
	} // else: mdb is built into slapd

	dir, err := os.MkdirTemp("", "ldapdir-slapd-")
	if err != nil {
		return nil, "", err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o700); err != nil {
		return nil, "", err
	}
	if err := writeTestCertificate(dir); err != nil {
		return nil, "", err
	}
	tmpl, err := files.ReadFile("testdata/slapd.conf.tmpl")
	if err != nil {
		return nil, "", err
	}
	conf := strings.NewReplacer("{{DIR}}", dir, "{{SCHEMA}}", schema, "{{MODULES}}", modules).Replace(string(tmpl))
	confPath := filepath.Join(dir, "slapd.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		return nil, "", err
	}
	ldif := filepath.Join(dir, "entries.ldif")
	entries, err := files.ReadFile("testdata/entries.ldif")
	if err == nil {
		err = os.WriteFile(ldif, entries, 0o600)
	}
	if err != nil {
		return nil, "", err
	}

	// Load the entries offline: slapd -T add is slapadd.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, bin, "-T", "add", "-f", confPath, "-l", ldif).CombinedOutput(); err != nil {
		return nil, "", fmt.Errorf("slapadd: %v\n%s", err, out)
	}

	// Ports are picked free and then handed to slapd, so another process may
	// take one in between: try a few times.
	for attempt := 1; ; attempt++ {
		srv, err := runSlapd(bin, dir, confPath)
		if err == nil || attempt == 3 {
			return srv, "", err
		}
	}
}

func runSlapd(bin, dir, confPath string) (*Server, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	srv := &Server{
		URL:      fmt.Sprintf("ldap://127.0.0.1:%d", ports[0]),
		LDAPSURL: fmt.Sprintf("ldaps://127.0.0.1:%d", ports[1]),
		dir:      dir,
		exited:   make(chan struct{}),
		output:   &syncBuffer{},
	}
	// -d 0 keeps slapd in the foreground (no daemonizing), so it stays our
	// child; its own process group lets stop kill it and anything it spawned.
	srv.cmd = exec.Command(bin, "-f", confPath, "-h", srv.URL+"/ "+srv.LDAPSURL+"/", "-d", "0")
	srv.cmd.Stdout, srv.cmd.Stderr = srv.output, srv.output
	srv.cmd.SysProcAttr = slapdProcAttr()
	if err := srv.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting slapd: %w", err)
	}
	go func() { _ = srv.cmd.Wait(); close(srv.exited) }()

	deadline := time.Now().Add(15 * time.Second)
	for _, port := range ports {
		for {
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-srv.exited:
				return nil, fmt.Errorf("slapd exited at start: %s\n%s", srv.cmd.ProcessState, srv.output.String())
			case <-time.After(50 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				srv.kill()
				return nil, fmt.Errorf("slapd did not listen on port %d within 15s:\n%s", port, srv.output.String())
			}
		}
	}
	return srv, nil
}

// kill ends slapd's process group: SIGTERM, then SIGKILL if it lingers.
func (s *Server) kill() {
	signalProcessGroup(s.cmd, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		signalProcessGroup(s.cmd, syscall.SIGKILL)
		<-s.exited
	}
}

func (s *Server) Stop() {
	s.kill()
	os.RemoveAll(s.dir)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeTestCertificate writes a self-signed certificate for 127.0.0.1 and
// localhost (cert.pem, key.pem) for slapd's ldaps listener and StartTLS.
func writeTestCertificate(dir string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ldapdir test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// syncBuffer collects slapd's output for error messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
