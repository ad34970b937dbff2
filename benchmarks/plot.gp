# Bar chart of one bench: median Mops/s by configuration, one bar per
# implementation.  Set datafile, outfile, benchname, ncols, termtype, and
# nrows (the configurations; many of them get a wider chart with slanted
# labels).
if (!exists("nrows")) nrows = 4
width = nrows > 8 ? 1600 : 1000
if (termtype eq 'svg') {
	set terminal svg size width,560 noenhanced
} else {
	set terminal pngcairo size width,560 noenhanced
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
if (nrows > 8) {
	set xtics rotate by -40 left font ',9'
	set bmargin 9
}
plot for [i=2:ncols] datafile using i:xtic(1) title columnhead
