# SPDX-License-Identifier: MIT
# Bar chart of one bench: median Mops/s by configuration, one bar per
# implementation, with a min-max error bar per bar.  Set datafile, outfile,
# benchname, termtype, names (the implementations, space-separated, in
# column order: the data file has config, then median, min and max of each),
# colours (one per name, distinct), and nrows (the configurations; many of
# them get a wider chart with slanted labels).
if (!exists("nrows")) nrows = 4
width = nrows > 8 ? 1600 : 1000
if (termtype eq 'svg') {
	set terminal svg size width,560 noenhanced
} else {
	set terminal pngcairo size width,560 noenhanced
}
set output outfile
set title benchname . ' (median Mops/s, bars min-max; higher is better)'
set style data histogram
set style histogram errorbars gap 1 lw 1
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
n = words(names)
plot for [i=1:n] datafile using (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) \
	title word(names, i) lc rgb word(colours, i)
