"""Ours (the release CLI) against scikit-learn and faiss on the same data, seeds and scaling.

Runs A B A B (ours, reference, ours, reference...) and reports medians and ratios ours/theirs:
k-means fit time and time per iteration, objective reached, exact silhouette time and value.
The reference processes run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (they slow a current
numpy); ours runs with the environment as it is.
"""
import argparse, gzip, json, os, platform, statistics, struct, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "target" / "release" / "latent-kmeans"
FASHION = Path(os.environ.get("LATENT_KMEANS_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist"))


def read_idx(path):
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4 : 4 + 4 * ndim])
    return np.frombuffer(raw[4 + 4 * ndim :], dtype=np.uint8).reshape(dims)


def write_idx_f32(path, x):
    x = np.ascontiguousarray(x, dtype=">f4")
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 0x0D, 2]) + struct.pack(">II", *x.shape) + x.tobytes())


def datasets():
    sets = {"mnist-10k": ROOT / "data" / "mnist-10k" / "images-idx3-ubyte.gz"}
    if (FASHION / "train-images-idx3-ubyte.gz").exists():
        sets["fashion-mnist"] = FASHION / "train-images-idx3-ubyte.gz"
    return sets


def ref_env():
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


WORKER = r'''
import json, sys, time, numpy as np
from threadpoolctl import threadpool_info
task = json.loads(sys.argv[1])
x = np.load(task["x"])
out = {"blas": [i.get("internal_api", "") + ":" + str(i.get("architecture", "")) for i in threadpool_info()]}
if task["kind"] == "sklearn":
    from sklearn.cluster import KMeans
    t = time.perf_counter()
    km = KMeans(n_clusters=task["k"], init="k-means++", n_init=1, algorithm=task["algo"],
                random_state=task["seed"], max_iter=300, tol=1e-4).fit(x)
    out.update(time_s=time.perf_counter() - t, iterations=int(km.n_iter_), objective=float(km.inertia_))
elif task["kind"] == "faiss":
    import faiss
    km = faiss.Kmeans(x.shape[1], task["k"], niter=task["niter"], seed=task["seed"], max_points_per_centroid=10**9)
    t = time.perf_counter()
    km.train(x)
    el = time.perf_counter() - t
    _, lab = km.index.search(x, 1)
    c = km.centroids
    obj = float(((x - c[lab[:, 0]]) ** 2).sum())
    out.update(time_s=el, iterations=task["niter"], objective=obj)
elif task["kind"] == "silhouette":
    from sklearn.metrics import silhouette_score
    lab = np.load(task["labels"])
    t = time.perf_counter()
    s = silhouette_score(x, lab)
    out.update(time_s=time.perf_counter() - t, value=float(s))
print(json.dumps(out))
'''


def run_ref(task, py):
    r = subprocess.run([py, "-c", WORKER, json.dumps(task)], capture_output=True, text=True, env=ref_env(), check=True)
    return json.loads(r.stdout)


def run_ours(args):
    t = time.perf_counter()
    r = subprocess.run([str(CLI), "--json", *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t
    return json.loads(r.stdout), wall


def med(v):
    return statistics.median(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-large-silhouette", action="store_true")
    a = ap.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp())
    rows = []
    for name, img in datasets().items():
        x = (read_idx(img).reshape(-1, 784).astype(np.float32) / 255.0)
        np.save(tmp / f"{name}.npy", x)
        ds_args = ["--dataset", name]
        ours_t, ours_it, ours_obj = [], [], []
        ref = {"sklearn-lloyd": [], "sklearn-elkan": [], "faiss": []}
        for r in range(a.repeats):
            seed = a.seed + r
            out, _ = run_ours(["cluster", *ds_args, "--method", "classic", "--seed", str(seed), "-k", "10"])
            c = out["clustering"]
            ours_t.append(c["timings"]["total_s"]); ours_it.append(c["iterations"]); ours_obj.append(c["objective"])
            for algo in ("lloyd", "elkan"):
                ref[f"sklearn-{algo}"].append(run_ref({"kind": "sklearn", "algo": algo, "x": str(tmp / f"{name}.npy"), "k": 10, "seed": seed}, py))
            ref["faiss"].append(run_ref({"kind": "faiss", "x": str(tmp / f"{name}.npy"), "k": 10, "seed": seed, "niter": int(c["iterations"])}, py))
        t_ours, per_ours = med(ours_t), med([t / i for t, i in zip(ours_t, ours_it)])
        for ref_name, outs in ref.items():
            t_ref = med([o["time_s"] for o in outs]); per_ref = med([o["time_s"] / o["iterations"] for o in outs])
            rows.append((name, f"k-means fit vs {ref_name}", f"{t_ours:.3f} s", f"{t_ref:.3f} s", t_ours / t_ref))
            rows.append((name, f"time/iteration vs {ref_name}", f"{per_ours*1e3:.1f} ms", f"{per_ref*1e3:.1f} ms", per_ours / per_ref))
            rows.append((name, f"objective vs {ref_name}", f"{med(ours_obj):.5g}", f"{med([o['objective'] for o in outs]):.5g}", med(ours_obj) / med([o['objective'] for o in outs])))
        blas = ref["sklearn-lloyd"][0]["blas"]
    # Silhouette: 10000 × 784, 60000 × 784, 60000 × 32 — labels from the true classes.
    sil_sets = [("mnist-10k", ROOT / "data" / "mnist-10k" / "images-idx3-ubyte.gz", ROOT / "data" / "mnist-10k" / "labels-idx1-ubyte.gz")]
    if (FASHION / "train-images-idx3-ubyte.gz").exists() and not a.skip_large_silhouette:
        sil_sets.append(("fashion-mnist", FASHION / "train-images-idx3-ubyte.gz", FASHION / "train-labels-idx1-ubyte.gz"))
    rng = np.random.default_rng(a.seed)
    lat = (rng.normal(size=(10, 32)) * 0.3 + 0.5)[rng.integers(0, 10, 60000)] + rng.normal(size=(60000, 32)) * 0.1
    lat = lat.astype(np.float32)
    write_idx_f32(tmp / "lat.idx", lat)
    np.save(tmp / "lat.npy", lat)
    for name, img, lab in sil_sets + [("latent-60000x32", None, None)]:
        if img is not None:
            x = read_idx(img).reshape(-1, 784).astype(np.float32) / 255.0
            y = read_idx(lab).astype(np.int64)
            np.save(tmp / f"s_{name}.npy", x)
            args = ["--dataset", name]
        else:
            x, y = lat, (lat[:, 0] > np.median(lat[:, 0])).astype(np.int64) + 2 * (lat[:, 1] > np.median(lat[:, 1]))
            np.save(tmp / f"s_{name}.npy", x)
            args = ["--images", str(tmp / "lat.idx")]
        np.save(tmp / f"l_{name}.npy", y)
        (tmp / f"l_{name}.txt").write_text("\n".join(map(str, y)) + "\n")
        ours, theirs = [], []
        reps = 1 if x.shape[0] * x.shape[1] > 10_000_000 else a.repeats
        for _ in range(reps):
            out, _ = run_ours(["evaluate", *args, "--labels", str(tmp / f"l_{name}.txt"), "--definition", "standard"])
            ours.append(out)
            theirs.append(run_ref({"kind": "silhouette", "x": str(tmp / f"s_{name}.npy"), "labels": str(tmp / f"l_{name}.npy")}, py))
        to, tt = med([o["evaluation_s"] for o in ours]), med([o["time_s"] for o in theirs])
        shape = f"{x.shape[0]}×{x.shape[1]}"
        rows.append((name, f"silhouette time {shape}", f"{to:.2f} s", f"{tt:.2f} s", to / tt))
        rows.append((name, f"silhouette value {shape}", f"{ours[0]['silhouette_standard']:.6f}", f"{theirs[0]['value']:.6f}", ours[0]['silhouette_standard'] / theirs[0]['value']))
    cpu = platform.processor() or platform.machine()
    flags = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("flags"):
                f = set(line.split(":")[1].split())
                flags = " ".join(sorted(f & {"avx", "avx2", "fma", "avx512f", "sse4_2"}))
                break
    except OSError:
        pass
    lines = [f"Machine: {os.cpu_count()} cores, {cpu}, flags: {flags}; reference BLAS: {', '.join(blas)}", "",
             "| dataset | measure | ours | reference | ours / reference |", "|---|---|---|---|---|"]
    lines += [f"| {d} | {m} | {o} | {t} | {r:.3f} |" for d, m, o, t, r in rows]
    text = "\n".join(lines)
    print(text)
    (ROOT / "benches" / "compare" / "results.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
