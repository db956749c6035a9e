# shellcheck shell=sh
# Sourced by the scripts that download Debian packages: apt with its own
# lists and cache under a folder of ours, so packages can be downloaded
# and unpacked into a local folder without touching the system's apt
# state or installing anything. apt checks the archive's signatures as
# for any download. The archive is the one this machine's apt already
# uses (apt_mirror): no package host is written in the project.
#
#   apt_private STATE "deb $(apt_mirror) SUITE main" ...
#   apt_private_arch STATE ARCH "deb ..." ...  (ARCH's packages only, and
#                                        an empty dpkg status: every
#                                        dependency is resolved)
#   apt_fetch PACKAGE[=VERSION] ...      (into the current folder)
#   apt_fetch_closure PACKAGE ...        (with all its dependencies, into
#                                        STATE/cache/archives)
#   apt_query show PACKAGE               (apt-cache, same lists)
#   apt_mirror [security]                (the Debian archive's URI, or the
#                                        security archive's)

# The Debian archive this machine's apt is configured with, as apt itself
# reads it (one-line sources.list and deb822 .sources alike): the
# repository whose Release file says Origin Debian, Label Debian (or
# Debian-Security with the argument "security"). apt knows that once
# `apt-get update` has run; before that, the first URI ending in /debian
# (or /debian-security) in the sources files.
apt_mirror() {
	label=Debian
	tail=debian
	[ "${1:-}" = security ] && label=Debian-Security && tail=debian-security
	# shellcheck disable=SC2016 # $(ORIGIN) and the rest are apt's
	uri=$(apt-get indextargets --format '$(ORIGIN)|$(LABEL)|$(REPO_URI)' \
		2>/dev/null | sed -n "s/^Debian|$label|//p" | head -n 1)
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
			/etc/apt/sources.list.d/*.sources 2>/dev/null |
			sed -n 's/^[[:space:]]*\(deb\|URIs:\)[[:space:]].*\(https\?:\/\/[^[:space:]]*\/'"$tail"'\/\?\)\([[:space:]].*\)\?$/\2/p' |
			head -n 1)
	fi
	if [ -z "$uri" ]; then
		echo "apt-private: no Debian archive ($label) in this machine's apt sources" >&2
		return 1
	fi
	printf '%s\n' "${uri%/}"
}

apt_private() {
	apt_state=$1
	shift
	mkdir -p "$apt_state/lists/partial" "$apt_state/cache/archives/partial"
	printf '%s\n' "$@" >"$apt_state/sources.list"
	apt_opts="-o Dir::Etc::SourceList=$apt_state/sources.list
	-o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists=$apt_state/lists
	-o Dir::Cache=$apt_state/cache
	-o APT::Sandbox::User=root
	-o Debug::NoLocking=1${apt_extra_opts:-}"
	# A mirror caught mid-sync ("File has unexpected size") is right again
	# a little later: three tries.
	for apt_try in 1 2 3; do
		# shellcheck disable=SC2086
		apt-get -qq -o APT::Update::Error-Mode=any $apt_opts update &&
			return 0
		[ "$apt_try" = 3 ] || sleep 20
	done
	return 1
}

# As apt_private, for a foreign architecture, with a dpkg status of our
# own that starts empty: apt then resolves the whole dependency closure
# of what is asked for, as on a machine of that architecture with
# nothing installed. The host's pins do not apply.
apt_private_arch() {
	mkdir -p "$1"
	: >"$1/status"
	apt_extra_opts="
	-o APT::Architecture=$2
	-o APT::Architectures=$2
	-o Dir::State::status=$1/status
	-o Dir::State::extended_states=$1/extended_states
	-o Dir::Etc::Preferences=/dev/null
	-o Dir::Etc::PreferencesParts=/dev/null
	-o APT::Install-Recommends=false"
	apt_arch_state=$1
	shift 2
	apt_private "$apt_arch_state" "$@"
	rc=$?
	apt_extra_opts=
	return $rc
}

apt_fetch() {
	# shellcheck disable=SC2086
	apt-get -qq $apt_opts download "$@"
}

apt_fetch_closure() {
	# shellcheck disable=SC2086
	apt-get -qq -y $apt_opts install --download-only "$@"
}

apt_query() {
	# shellcheck disable=SC2086
	apt-cache $apt_opts "$@"
}
