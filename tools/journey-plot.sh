#!/usr/bin/env bash
# Draw the frame journey records (GET /trace.csv, or `trace csv` /
# cat /proc/barenet/trace.csv in the kernel's shell) as a PNG timeline:
# the stages on the y axis in the order a frame meets them, the time since
# the frame's first stage on the x axis (microseconds), one line per
# sampled frame.  Needs gnuplot (tools/deps.sh installs gnuplot-nox).
#
# Usage: tools/journey-plot.sh TRACE.csv OUT.png [MAX_FRAMES]   (default 50)
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 TRACE.csv OUT.png [MAX_FRAMES]" >&2; exit 2; }
csv=$1
png=$2
max=${3:-50}
command -v gnuplot >/dev/null || { echo "journey-plot: gnuplot not found (make deps)" >&2; exit 1; }
[ -r "$csv" ] || { echo "journey-plot: cannot read $csv" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the CSV: id,kind,len,<stage>... with ns since boot, empty where not
# reached.  Keep the stages some frame reached; one block of "x y frame"
# per frame (the last MAX_FRAMES), blank lines between blocks.
awk -F, -v max="$max" -v data="$tmp/data" -v tics="$tmp/tics" -v info="$tmp/info" '
NR == 1 { for (i = 4; i <= NF; i++) name[i] = $i; nf = NF; next }
NF >= 4 { rows[++n] = $0 }
END {
    if (n == 0) { print "journey-plot: no records in the CSV" > "/dev/stderr"; exit 1 }
    first = n > max ? n - max + 1 : 1
    for (r = first; r <= n; r++) {
        split(rows[r], f, ",")
        for (i = 4; i <= nf; i++) if (f[i] != "") used[i] = 1
    }
    y = 0
    for (i = 4; i <= nf; i++) if (used[i]) { pos[i] = y; t = t (y ? ", " : "") "\"" name[i] "\" " y; y++ }
    print "set ytics (" t ")" > tics
    for (r = first; r <= n; r++) {
        split(rows[r], f, ",")
        t0 = ""
        for (i = 4; i <= nf; i++) if (f[i] != "" && (t0 == "" || f[i] + 0 < t0)) t0 = f[i] + 0
        for (i = 4; i <= nf; i++) if (f[i] != "") printf("%.3f %d %d\n", (f[i] - t0) / 1000.0, pos[i], r - first) > data
        print "" > data
    }
    printf("%d frames (%s), %d stages", n - first + 1, (n > max ? "the newest" : "all"), y) > info
}' "$csv"

gnuplot <<GP
set terminal png size 1100,640 noenhanced
set output "$png"
set title "barenet frame journey: $(cat "$tmp/info")"
set xlabel "time since the frame's first stage (us)"
set ylabel "stage"
$(cat "$tmp/tics")
set grid xtics ytics
set key off
set logscale x
set xrange [0.01:*]
plot "$tmp/data" using (\$1 > 0.01 ? \$1 : 0.01):2:3 with linespoints lc variable pt 7 ps 0.6
GP
[ -s "$png" ] || { echo "journey-plot: gnuplot wrote nothing" >&2; exit 1; }
echo "journey-plot: $png"
