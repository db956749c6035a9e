# shellcheck shell=sh
# Sourced by the fetch scripts: apt with its own lists and cache under a
# folder of ours, so Debian packages can be downloaded and unpacked into a
# local prefix without touching the system's apt state or installing
# anything. apt checks the archive's signatures as for any download.
#
#   apt_private STATE "deb http://deb.debian.org/debian SUITE main" ...
#   apt_fetch PACKAGE[=VERSION] ...      (into the current folder)
#   apt_query show PACKAGE               (apt-cache, same lists)

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
	-o Debug::NoLocking=1"
	# shellcheck disable=SC2086
	apt-get -qq $apt_opts update
}

apt_fetch() {
	# shellcheck disable=SC2086
	apt-get -qq $apt_opts download "$@"
}

apt_query() {
	# shellcheck disable=SC2086
	apt-cache $apt_opts "$@"
}
