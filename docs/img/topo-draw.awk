# Drawing only: symmetric link pairs become one undirected edge labelled with its bandwidth.
/^digraph/ { sub(/^digraph/, "graph"); print; print "  node [fontsize=10, height=0.3]; edge [fontsize=9];"; next }
/ -> / { a=$1; b=$3; bw=$0; sub(/.*bw=/, "", bw); sub(/\].*/, "", bw); gsub(/"/, "", bw);
         if (a < b) printf "  %s -- %s [label=\"%s\"];\n", a, b, (LABEL ? bw : ""); next }
{ sub(/kind=switch/, "kind=switch, shape=box, style=filled, fillcolor=lightgrey"); print }
