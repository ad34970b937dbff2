# Bar chart of one bench: median Mops/s by configuration, one bar per
# implementation.  Set datafile, outfile, benchname, ncols, termtype.
if (termtype eq 'svg') {
	set terminal svg size 1000,560 noenhanced
} else {
	set terminal pngcairo size 1000,560 noenhanced
}
set output outfile
set title benchname . ' (median Mops/s, higher is better)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set datafile missing '-'
set key outside right top
set ylabel 'Mops/s'
set logscale y
set grid ytics
plot for [i=2:ncols] datafile using i:xtic(1) title columnhead
