#!/usr/bin/env bash
# Pictures of the explorer's screens from the demo data: screenshots/<name>.png for every line of
# screenshots/shots.tsv (or only the names given).
#
#   screenshots/take.sh [NAME...]
#
# Each shot runs `git-vouch --demo` (or the shot's own arguments; release build, or $GIT_VOUCH_BIN) in tmux inside an xterm on
# a private Xvfb display, presses the shot's keys, waits until the screen shows its text, and
# saves the xterm window with ImageMagick's `import`. Needs (Debian) xvfb, xterm, x11-utils,
# tmux, imagemagick and fonts-dejavu. Not run by CI.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cols=120
rows=34
font_size=${GIT_VOUCH_SHOT_FONT_SIZE:-11}

for tool in Xvfb xterm xwininfo tmux import; do
  command -v "$tool" >/dev/null || {
    echo "take.sh: $tool is missing (apt-get install xvfb xterm x11-utils tmux imagemagick fonts-dejavu)" >&2
    exit 2
  }
done

bin=${GIT_VOUCH_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  bin=$root/target/release/git-vouch
fi

work=$(mktemp -d)
socket=git-vouch-shots-$$
xvfb_pid=
cleanup() {
  tmux -L "$socket" kill-server 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A free display number, chosen by Xvfb itself.
Xvfb -displayfd 3 -screen 0 1920x1200x24 -nolisten tcp 3>"$work/display" 2>"$work/xvfb.log" &
xvfb_pid=$!
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.05; done
[ -s "$work/display" ] || { echo "take.sh: Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }
export DISPLAY=:$(tr -d '[:space:]' <"$work/display")

# Waits until the pane shows $1 (up to 20 s).
wait_for() {
  for _ in $(seq 400); do
    if tmux -L "$socket" capture-pane -p -t shot 2>/dev/null | grep -qF -- "$1"; then
      return 0
    fi
    sleep 0.05
  done
  echo "take.sh: timed out waiting for '$1'; screen:" >&2
  tmux -L "$socket" capture-pane -p -t shot >&2 || true
  return 1
}

# A dark palette for the 16 ANSI colours the theme names (xterm's defaults are hard to read on dark).
palette=()
i=0
for colour in '#45475a' '#f38ba8' '#a6e3a1' '#f9e2af' '#89b4fa' '#f5c2e7' '#94e2d5' '#bac2de' \
  '#6c7086' '#f38ba8' '#a6e3a1' '#f9e2af' '#89b4fa' '#f5c2e7' '#94e2d5' '#a6adc8'; do
  palette+=(-xrm "XTerm*color$i: $colour")
  i=$((i + 1))
done

shoot() {
  local name=$1 keys=$2 text=$3 args=${4:---demo}
  mkdir -p "$work/home"
  tmux -L "$socket" -f /dev/null new-session -d -s shot -x "$cols" -y "$rows" \
    "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME='$work/home' LANG=C.UTF-8 \
     GIT_VOUCH_NOW=2026-11-21T12:00:00Z '$bin' $args"
  tmux -L "$socket" set -g status off
  xterm -geometry "${cols}x${rows}+0+0" -fa 'DejaVu Sans Mono' -fs "$font_size" \
    -bg '#1e1e2e' -fg '#cdd6f4' -bc -title "git-vouch-$name" \
    -xrm 'XTerm*borderWidth: 0' -xrm 'XTerm*internalBorder: 8' "${palette[@]}" \
    -e tmux -L "$socket" attach -t shot &
  local xterm_pid=$!
  # The explorer is ready once the demo sessions' commits are in; other commands say so in keys.
  [ "$args" = --demo ] && wait_for unsigned
  local key
  [ "$keys" = - ] && keys=
  for key in $keys; do
    case $key in
      @*) wait_for "${key#@}" ;; # `@text`: wait until the screen shows text
      *) tmux -L "$socket" send-keys -t shot "$key" ;;
    esac
    sleep 0.05
  done
  wait_for "$text"
  local window=
  for _ in $(seq 100); do
    window=$(xwininfo -name "git-vouch-$name" 2>/dev/null | awk '/Window id:/ {print $4}') || true
    [ -n "$window" ] && break
    sleep 0.05
  done
  sleep 0.5 # the xterm draws what tmux sent
  import -window "$window" "$here/$name.png"
  echo "screenshots/$name.png"
  tmux -L "$socket" kill-server 2>/dev/null || true
  kill "$xterm_pid" 2>/dev/null || true
  wait "$xterm_pid" 2>/dev/null || true
}

found=0
while IFS=$'\t' read -r name keys text args; do
  case $name in '' | '#'*) continue ;; esac
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qxF -- "$name"; then
    continue
  fi
  shoot "$name" "$keys" "$text" "$args"
  found=$((found + 1))
done <"$here/shots.tsv"
[ "$found" -gt 0 ] || { echo "take.sh: no shot matches: $*" >&2; exit 2; }
