#!/usr/bin/python3
"""bench/schedule_plot.py — the table and the loss-vs-seconds plot of bench/schedule.sh.

   schedule_plot.py RUNS.tsv PNG

RUNS.tsv: one line per CLI run, tab-separated:
   model pair schedule options wall_seconds cpu_seconds load_before load_after report.json
(the first schedule of each model is the reference).  Prints the table on
stdout; draws one panel per (model, pair) with gnuplot: total loss against
the optimisation's elapsed seconds (the sum of the report's per-iteration
seconds), one line per level so that the jump at each level start (the loss
of different sizes is not comparable) shows as a break, a dot at each level
start, and a horizontal line at the reference's final full-size loss.
The comparison figure is the final full-size loss: the lowest total of the
last level (the 512 px level for every schedule here), which is the loss of
the image the job returns (job.c keeps the best iterate of the last level).
Debian's Python only (json, subprocess): no third-party module.
"""
import json
import os
import subprocess
import sys
import tempfile


def load_run(line):
    model, pair, sched, opts, wall, cpu, l0, l1, report = line.rstrip("\n").split("\t")
    r = json.load(open(report))
    its = r["iterations"]
    last = max(x["level"] for x in its)
    t, pts, per_level = 0.0, [], {}
    for x in its:
        t += x["seconds"]
        pts.append((t, x["total"], x["level"]))
        per_level[x["level"]] = x["iteration"]
    final = min(x["total"] for x in its if x["level"] == last)
    return dict(model=model, pair=pair, sched=sched, opts=opts, wall=float(wall), cpu=float(cpu),
                opt_s=t, load0=l0, load1=l1, pts=pts, final=final,
                iters="/".join(str(per_level[k]) for k in sorted(per_level)),
                stop=r.get("stop_reason", "?"))


def main():
    runs = [load_run(l) for l in open(sys.argv[1]) if l.strip()]
    png = sys.argv[2]
    if not runs:
        sys.exit("schedule_plot.py: no run succeeded")
    ref = {}
    for r in runs:
        ref.setdefault((r["model"], r["pair"]), r)   # the first schedule run of each panel
    print("| model | pair | schedule | wall s | CPU s | optimise s | iterations per level | final 512 px loss"
          " | wall vs default | final loss vs default | load (1 min) before / after |")
    print("|---|---|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for r in runs:
        d = ref[(r["model"], r["pair"])]
        print("| %s | %s | %s | %.1f | %.1f | %.1f | %s | %.4g | %.2f | %+.2f %% | %s / %s |"
              % (r["model"], r["pair"], r["sched"], r["wall"], r["cpu"], r["opt_s"], r["iters"], r["final"],
                 r["wall"] / d["wall"], 100.0 * (r["final"] / d["final"] - 1.0), r["load0"].split()[0],
                 r["load1"].split()[0]))
    # Sums per (model, schedule) over the pairs: the figure the proposal rests on.
    print()
    print("| model | schedule | pairs | wall s (sum) | wall vs default | CPU vs default |"
          " pairs with final loss <= default's |")
    print("|---|---|---:|---:|---:|---:|---|")
    keys = []
    for r in runs:
        if (r["model"], r["sched"]) not in keys:
            keys.append((r["model"], r["sched"]))
    for m, s in keys:
        mine = [r for r in runs if r["model"] == m and r["sched"] == s]
        base = [ref[(r["model"], r["pair"])] for r in mine]
        w, wb = sum(r["wall"] for r in mine), sum(b["wall"] for b in base)
        c, cb = sum(r["cpu"] for r in mine), sum(b["cpu"] for b in base)
        ok = sum(1 for r, b in zip(mine, base) if r["final"] <= b["final"])
        print("| %s | %s | %d | %.1f | %.2f | %.2f | %d of %d |"
              % (m, s, len(mine), w, w / wb, c / cb, ok, len(mine)))

    models = list(dict.fromkeys(m for m, _ in ref))
    pairs = list(dict.fromkeys(p for _, p in ref))
    panels = [(m, p) for m in models for p in pairs if (m, p) in ref]   # a row per model
    scheds = []
    for r in runs:
        if r["sched"] not in scheds:
            scheds.append(r["sched"])
    tmp = tempfile.mkdtemp()
    cols, rows = len(pairs), len(models)
    gp = ["set terminal pngcairo size %d,%d font ',10'" % (640 * cols, 420 * rows),
          "set output '%s'" % png,
          "set multiplot layout %d,%d" % (rows, cols),
          "set logscale y", "set grid", "set key top right",
          "set xlabel 'seconds (optimisation, summed per iteration)'",
          "set ylabel 'total loss of the level (levels not comparable)'"]
    for pi, (m, p) in enumerate(panels):
        plots = []
        for si, s in enumerate(scheds):
            rs = [r for r in runs if r["model"] == m and r["pair"] == p and r["sched"] == s]
            if not rs:
                continue
            r = rs[0]
            f = os.path.join(tmp, "p%d_s%d.dat" % (pi, si))
            with open(f, "w") as out:
                lvl = None
                for t, loss, lv in r["pts"]:
                    if lvl is not None and lv != lvl:
                        out.write("\n\n")
                    lvl = lv
                    out.write("%g %g %d\n" % (t, loss, lv))
            starts = os.path.join(tmp, "p%d_s%d.starts" % (pi, si))
            with open(starts, "w") as out:
                lvl = None
                for t, loss, lv in r["pts"]:
                    if lv != lvl:
                        out.write("%g %g\n" % (t, loss))
                    lvl = lv
            c = si + 1
            plots.append("'%s' using 1:2 with lines lw 2 lc %d title '%s: %.1f s, final %.4g'"
                         % (f, c, s, r["opt_s"], r["final"]))
            plots.append("'%s' using 1:2 with points pt 7 ps 1 lc %d notitle" % (starts, c))
        d = ref[(m, p)]
        plots.append("%g with lines dt 2 lc rgb 'black' title '%s final 512 px loss'"
                     % (d["final"], d["sched"]))
        lo = min(loss for r in runs if (r["model"], r["pair"]) == (m, p) for _, loss, _ in r["pts"])
        gp.append("set yrange [%g:%g]" % (0.9 * lo, 3.0 * d["final"]))   # the starts are clipped
        gp.append("set title '%s, %s (dots: level starts; last level = 512 px)'" % (m, p))
        gp.append("plot " + ", ".join(plots))
    gp.append("unset multiplot")
    script = os.path.join(tmp, "plot.gp")
    with open(script, "w") as out:
        out.write("\n".join(gp) + "\n")
    subprocess.run(["gnuplot", script], check=True)
    for f in os.listdir(tmp):
        os.unlink(os.path.join(tmp, f))
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
