#!/bin/sh
# Makes sure OpenLDAP's slapd is installed, for the ldapdir tests.
#
# Exit status: 0 when slapd is (now) installed; 3 when it is missing and this
# machine cannot install it (not root, or no apt-get), so the tests skip;
# anything else when the install itself failed, so the tests fail.
#
# Only the distribution's packages are used. Debian's slapd package comes
# from apt with a default configuration that these tests never use: they run
# their own slapd with a temporary configuration (see slapd_test.go), so the
# packaged service is neither needed nor started by them. (Whether the
# package's own postinst starts it is the machine's policy-rc.d's call; in
# this project's containers policy-rc.d refuses, so nothing is left running.)
set -u

have_slapd() {
	command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]
}

if have_slapd; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "slapd is not installed and this user is not root: install the slapd package to run the LDAP tests" >&2
	exit 3
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "slapd is not installed and apt-get is not available: install OpenLDAP's slapd to run the LDAP tests" >&2
	exit 3
fi

export DEBIAN_FRONTEND=noninteractive
# Wait for another apt (another test package, an unattended upgrade) rather
# than fail on its lock.
apt_install() {
	apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends slapd </dev/null
}

echo "installing slapd with apt-get" >&2
if ! apt_install; then
	# A fresh machine may have no package lists yet.
	echo "apt-get install failed; running apt-get update and trying again" >&2
	apt-get -o DPkg::Lock::Timeout=300 update -q </dev/null || exit 1
	apt_install || exit 1
fi
have_slapd || { echo "apt-get installed slapd but no slapd binary was found" >&2; exit 1; }
