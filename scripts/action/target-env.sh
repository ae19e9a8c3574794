# Sourced by action.yml's plan and apply steps: the action's target-credential inputs
# (IN_*, empty when not given) become the variables regctl's targets read. An empty
# input leaves the job's own environment alone (e.g. AWS_* from an OIDC step); PEM text
# goes to files only this user can read, under the job's temporary folder, because
# ETCDCTL_CACERT/CERT/KEY name files. Nothing here is printed.
_regctl_export() { # NAME VALUE: export NAME=VALUE when VALUE is not empty
  if [ -n "$2" ]; then export "$1=$2"; fi
}
_regctl_pem() { # NAME TEXT FILE: write TEXT to FILE (0600) and export NAME=FILE
  if [ -n "$2" ]; then
    (umask 077 && mkdir -p "$(dirname "$3")" && printf '%s\n' "$2" > "$3")
    export "$1=$3"
  fi
}
_regctl_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/regctl-credentials-$$"
_regctl_export ETCDCTL_USER "${IN_ETCD_USER:-}"
_regctl_export ETCDCTL_PASSWORD "${IN_ETCD_PASSWORD:-}"
_regctl_pem ETCDCTL_CACERT "${IN_ETCD_CA_CERT:-}" "$_regctl_dir/etcd-ca.pem"
_regctl_pem ETCDCTL_CERT "${IN_ETCD_CERT:-}" "$_regctl_dir/etcd-cert.pem"
_regctl_pem ETCDCTL_KEY "${IN_ETCD_KEY:-}" "$_regctl_dir/etcd-key.pem"
_regctl_export AWS_ACCESS_KEY_ID "${IN_AWS_ACCESS_KEY_ID:-}"
_regctl_export AWS_SECRET_ACCESS_KEY "${IN_AWS_SECRET_ACCESS_KEY:-}"
_regctl_export AWS_SESSION_TOKEN "${IN_AWS_SESSION_TOKEN:-}"
_regctl_export AWS_DEFAULT_REGION "${IN_AWS_REGION:-}"
_regctl_export AWS_ENDPOINT_URL "${IN_AWS_ENDPOINT_URL:-}"
unset IN_ETCD_USER IN_ETCD_PASSWORD IN_ETCD_CA_CERT IN_ETCD_CERT IN_ETCD_KEY \
  IN_AWS_ACCESS_KEY_ID IN_AWS_SECRET_ACCESS_KEY IN_AWS_SESSION_TOKEN IN_AWS_REGION \
  IN_AWS_ENDPOINT_URL _regctl_dir
unset -f _regctl_export _regctl_pem
