"""Write FITS and VOTable variants with astropy into a directory, and dump what astropy reads
back from each as JSON, so the TypeScript tests compare our readers with an independent one.

Usage: /usr/bin/python3 gen_astropy.py OUTDIR
Writes OUTDIR/<name>.fits|.xml|.fits.gz and OUTDIR/expected.json.
Deterministic (fixed seed)."""
import gzip
import json
import math
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.io.votable import from_table, writeto as vo_writeto
from astropy.table import Table, MaskedColumn, Column

warnings.simplefilter("ignore")
out = sys.argv[1]
rng = np.random.default_rng(20240611)
expected = {}


def enc(v):
    """JSON-safe encoding of a numpy value: NaN/Inf as strings, big ints as strings."""
    if isinstance(v, np.ndarray) and v.ndim == 0:
        return enc(v[()])
    if isinstance(v, (np.ndarray,)):
        return [enc(x) for x in v.tolist()] if v.dtype.kind != "O" else [enc(x) for x in v]
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer, int)):
        i = int(v)
        return i if abs(i) < 2**53 else {"bigint": str(i)}
    if isinstance(v, (np.floating, float)):
        f = float(v)
        if math.isnan(f):
            return "NaN"
        if math.isinf(f):
            return "Inf" if f > 0 else "-Inf"
        return f
    if isinstance(v, (np.complexfloating, complex)):
        return [enc(float(v.real)), enc(float(v.imag))]
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("latin1")
    if isinstance(v, str):
        return v
    if v is None or v is np.ma.masked:
        return None
    return str(v)


def dump_image(name, path):
    with fits.open(path) as h:
        d = h[0].data
        expected[name] = {"kind": "image", "dtype": str(d.dtype.newbyteorder("=")), "shape": list(d.shape), "data": enc(d.ravel())}


# ---- images: every BITPIX, scaled, unsigned, BLANK ----
shape = (5, 7)
for bitpix, dt in [(8, np.uint8), (16, np.int16), (32, np.int32), (64, np.int64), (-32, np.float32), (-64, np.float64)]:
    if dt in (np.float32, np.float64):
        data = (rng.standard_normal(shape) * 1e3).astype(dt)
        data[0, 0] = np.nan
    else:
        info = np.iinfo(dt)
        data = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
    name = f"img_{bitpix}".replace("-", "m")
    p = f"{out}/{name}.fits"
    fits.PrimaryHDU(data).writeto(p, overwrite=True)
    dump_image(name, p)

for dt, tag in [(np.uint16, "u16"), (np.uint32, "u32"), (np.uint64, "u64"), (np.int8, "i8")]:
    info = np.iinfo(dt)
    data = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
    p = f"{out}/img_{tag}.fits"
    fits.PrimaryHDU(data).writeto(p, overwrite=True)
    dump_image(f"img_{tag}", p)

for tag, typ in [("s16", "int16"), ("s32", "int32"), ("s8", "uint8")]:
    f = (rng.standard_normal(shape) * 40).astype(np.float64)
    h = fits.PrimaryHDU(f)
    h.scale(typ, bscale=0.37, bzero=11.5)
    p = f"{out}/img_scaled_{tag}.fits"
    h.writeto(p, overwrite=True)
    dump_image(f"img_scaled_{tag}", p)

for bitpix, dt in [(16, np.int16), (32, np.int32)]:
    data = rng.integers(-500, 500, size=shape).astype(dt)
    data[1, 2] = -999
    data[4, 6] = -999
    h = fits.PrimaryHDU(data)
    h.header["BLANK"] = -999
    p = f"{out}/img_blank_{bitpix}.fits"
    h.writeto(p, overwrite=True)
    dump_image(f"img_blank_{bitpix}", p)

# a 3-D image in an IMAGE extension, and a gzip copy
cube = rng.standard_normal((2, 3, 4)).astype(np.float32)
hl = fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(cube, name="CUBE")])
hl.writeto(f"{out}/img_ext3d.fits", overwrite=True)
expected["img_ext3d"] = {"kind": "image", "hdu": 1, "dtype": "float32", "shape": list(cube.shape), "data": enc(cube.ravel())}
with open(f"{out}/img_ext3d.fits", "rb") as fi, gzip.open(f"{out}/img_ext3d.fits.gz", "wb") as fo:
    fo.write(fi.read())

# ---- header cards ----
h = fits.PrimaryHDU()
hd = h.header
hd["LONGSTR"] = "This is a long string value that does not fit in one card, " * 3 + "end."
hd["QUOTE"] = "it's quoted"
hd["BOOLT"] = True
hd["BOOLF"] = False
hd["INTV"] = -123456
hd["BIGINT"] = 2**60 + 7
hd["FLT"] = 1.25e-17
hd["CPLX"] = complex(1.5, -2.0)
hd["HIERARCH ESO DET CHIP NAME"] = "CCD-42"
hd["UNDEF"] = None
hd.add_comment("a comment card")
hd.add_history("step one")
hd.add_history("step two")
h.writeto(f"{out}/header.fits", overwrite=True)
with fits.open(f"{out}/header.fits") as r:
    rh = r[0].header
    expected["header"] = {
        "kind": "header",
        "values": {k: enc(rh[k]) if not isinstance(rh[k], fits.card.Undefined) else None for k in
                   ["LONGSTR", "QUOTE", "BOOLT", "BOOLF", "INTV", "BIGINT", "FLT", "ESO DET CHIP NAME"]},
        "cplx": [rh["CPLX"].real, rh["CPLX"].imag],
        "history": list(rh["HISTORY"]),
        "comment": list(rh["COMMENT"]),
    }

# ---- binary table: every TFORM ----
n = 6
cols = [
    fits.Column(name="L", format="L", array=np.array([True, False, True, True, False, True])),
    fits.Column(name="X", format="11X", array=rng.integers(0, 2, size=(n, 11)).astype(bool)),
    fits.Column(name="B", format="B", array=rng.integers(0, 255, n).astype(np.uint8)),
    fits.Column(name="I", format="I", array=rng.integers(-30000, 30000, n).astype(np.int16)),
    fits.Column(name="J", format="J", array=rng.integers(-2**31, 2**31 - 1, n).astype(np.int32)),
    fits.Column(name="K", format="K", array=rng.integers(-2**63, 2**63 - 1, n, dtype=np.int64)),
    fits.Column(name="A", format="12A", array=np.array(["alpha", "b", "", "delta", "with space ", "x" * 12])),
    fits.Column(name="E", format="E", array=rng.standard_normal(n).astype(np.float32), unit="erg/s"),
    fits.Column(name="D", format="D", array=rng.standard_normal(n)),
    fits.Column(name="C", format="C", array=(rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)),
    fits.Column(name="M", format="M", array=rng.standard_normal(n) + 1j * rng.standard_normal(n)),
    fits.Column(name="VEC", format="3D", array=rng.standard_normal((n, 3))),
    fits.Column(name="TDIM", format="6E", dim="(3,2)", array=rng.standard_normal((n, 2, 3)).astype(np.float32)),
    fits.Column(name="PJ", format="PJ()", array=np.array([np.arange(k, dtype=np.int32) * 3 - 1 for k in range(n)], dtype=object)),
    fits.Column(name="QD", format="QD()", array=np.array([rng.standard_normal(k + 1) for k in range(n)], dtype=object)),
    fits.Column(name="SCALED", format="I", array=np.array([0, 3, -2, -200, -99, 200], dtype=np.int16)),
    fits.Column(name="UINT", format="I", array=np.array([-32768, -32767, 32767, 0, 7232, -32761], dtype=np.int16)),
    fits.Column(name="NULLJ", format="J", null=-99, array=np.array([1, -99, 3, 4, -99, 6], dtype=np.int32)),
]
t = fits.BinTableHDU.from_columns(cols, name="ALL")
fits.HDUList([fits.PrimaryHDU(), t]).writeto(f"{out}/bintable.fits", overwrite=True)


def add_cards(path, hdu_index, cards):
    """Insert cards before END of one header by editing bytes, so astropy's writer does not
    rescale the stored integers (it cannot write arbitrary TSCAL/TZERO integer columns)."""
    raw = bytearray(open(path, "rb").read())
    pos = 0
    for _ in range(hdu_index):
        hdr = fits.Header.fromstring(raw[pos:].decode("latin1"))
        hlen = (len(hdr.tostring()) + 2879) // 2880 * 2880
        size = hdr["NAXIS1"] * hdr["NAXIS2"] + hdr.get("PCOUNT", 0) if hdr.get("NAXIS", 0) else 0
        pos += hlen + (size + 2879) // 2880 * 2880
    k = pos
    while raw[k:k + 80].decode("latin1").rstrip() != "END":
        k += 80
    new = "".join(fits.Card(kw, v).image for kw, v in cards).encode("latin1")
    raw[k:k] = new
    hend = k + len(new) + 80
    pad = (-(hend - pos)) % 2880
    # remove the blank cards that followed END so the header stays block-aligned
    tail = raw[hend:]
    blank = 0
    while blank < len(tail) and tail[blank:blank + 1] == b" ":
        blank += 1
    del raw[hend:hend + min(blank, len(new))]
    open(path, "wb").write(raw)


add_cards(f"{out}/bintable.fits", 1, [("TSCAL16", 0.5), ("TZERO16", 100.0), ("TZERO17", 32768)])
with fits.open(f"{out}/bintable.fits") as r:
    d = r[1].data
    expected["bintable"] = {"kind": "table", "hdu": 1, "rows": len(d),
                            "columns": {c.name: {"format": c.format, "values": [enc(x) for x in d[c.name]]} for c in r[1].columns}}

# ---- ASCII table ----
acols = [
    fits.Column(name="IV", format="I6", array=np.array([1, -2, 300, 4])),
    fits.Column(name="FV", format="F10.3", array=np.array([1.5, -2.25, 3.125, 0.0])),
    fits.Column(name="EV", format="E12.5", array=np.array([1.5e10, -2.5e-3, 3.0, 4.0])),
    fits.Column(name="DV", format="D22.14", array=np.array([math.pi, math.e, -1.0, 1e-100])),
    fits.Column(name="AV", format="A8", array=np.array(["one", "two", "three", "four"])),
]
at = fits.TableHDU.from_columns(acols, name="ASCII")
fits.HDUList([fits.PrimaryHDU(), at]).writeto(f"{out}/asciitable.fits", overwrite=True)
with fits.open(f"{out}/asciitable.fits") as r:
    d = r[1].data
    expected["asciitable"] = {"kind": "table", "hdu": 1, "rows": len(d),
                              "columns": {c.name: {"format": c.format, "values": [enc(x) for x in d[c.name]]} for c in r[1].columns}}

# ---- VOTables: every datatype, arrays, nulls; TABLEDATA, BINARY, BINARY2 ----
m = 5
vt = Table()
vt["b"] = MaskedColumn([True, False, True, False, True], mask=[0, 0, 1, 0, 0])
vt["u8"] = MaskedColumn(np.array([0, 1, 2, 254, 7], dtype=np.uint8), mask=[0, 1, 0, 0, 0])
vt["i16"] = MaskedColumn(np.array([-32000, 0, 5, 32000, 9], dtype=np.int16), mask=[0, 0, 0, 1, 0])
vt["i32"] = MaskedColumn(np.array([-2**31 + 5, 0, 5, 2**31 - 1, 9], dtype=np.int32), mask=[1, 0, 0, 0, 0])
vt["i64"] = MaskedColumn(np.array([-2**62, 2**60 + 3, 5, 7, 9], dtype=np.int64), mask=[0, 0, 0, 0, 1])
vt["f32"] = MaskedColumn(rng.standard_normal(m).astype(np.float32), mask=[0, 1, 0, 0, 0])
vt["f64"] = MaskedColumn(rng.standard_normal(m), mask=[0, 0, 0, 1, 0])
vt["c64"] = Column((rng.standard_normal(m) + 1j * rng.standard_normal(m)).astype(np.complex64))
vt["c128"] = Column(rng.standard_normal(m) + 1j * rng.standard_normal(m))
vt["s"] = Column(["alpha", "beta", "", "gamma & <delta>", "eps"])
vt["u"] = Column(["αβγ", "plain", "ü", "", "日本"])
vt["arr3"] = Column(rng.standard_normal((m, 3)))
vt["arr2x3"] = Column(rng.integers(-100, 100, size=(m, 2, 3)).astype(np.int32))
vt["f32arr"] = Column(rng.standard_normal((m, 4)).astype(np.float32))
vt["i16arr"] = Column(rng.integers(-100, 100, size=(m, 2)).astype(np.int16))
vt["barr"] = Column(np.array([[True, False], [False, False], [True, True], [False, True], [True, False]]))
vt["f64"].unit = "Angstrom"
vt["f64"].description = "a double column"
vo = from_table(vt)
vo.resources[0].tables[0].fields[0].ucd = "meta.code"
# BINARY (unlike BINARY2) has no null flags: integer nulls need a VALUES null sentinel.
for fld, nv in zip(vo.resources[0].tables[0].fields[1:5], [255, -32768, -2147483648, -9223372036854775808]):
    fld.values.null = nv
vexp = {}
for fmt in ["tabledata", "binary", "binary2"]:
    p = f"{out}/vot_{fmt}.xml"
    vo_writeto(vo, p, tabledata_format=fmt)
from astropy.io.votable import parse as vo_parse
for fmt in ["tabledata", "binary", "binary2"]:
    p = f"{out}/vot_{fmt}.xml"
    tt = vo_parse(p).get_first_table()
    arr = tt.array
    cols = {}
    for name in arr.dtype.names:
        vals = []
        for i in range(len(arr)):
            v = arr[name][i]
            mk = np.ma.getmaskarray(arr[name])[i]
            if np.ndim(mk) == 0 and mk:
                vals.append(None)
            else:
                vals.append(enc(np.ma.getdata(v)) if hasattr(v, "shape") or isinstance(v, np.ndarray) else enc(v))
        cols[name] = {"datatype": tt.get_field_by_id_or_name(name).datatype, "arraysize": tt.get_field_by_id_or_name(name).arraysize, "values": vals}
    expected[f"vot_{fmt}"] = {"kind": "votable", "rows": len(arr), "columns": cols}

# variable-length arrays in VOTable (BINARY2 and TABLEDATA)
vv = Table()
varr = np.empty(4, dtype=object)
for k in range(4):
    varr[k] = np.ma.array(np.arange(k, dtype=np.float64) * 1.5, mask=np.zeros(k, bool))
vv["var"] = Column(varr, dtype=object)
vo2 = from_table(vv)
vo2.resources[0].tables[0].fields[0].arraysize = "*"
for fmt in ["tabledata", "binary2"]:
    vo_writeto(vo2, f"{out}/vot_var_{fmt}.xml", tabledata_format=fmt)
    tt = vo_parse(f"{out}/vot_var_{fmt}.xml").get_first_table()
    expected[f"vot_var_{fmt}"] = {"kind": "votable", "rows": len(tt.array), "columns": {"var": {"values": [enc(np.asarray(x)) for x in tt.array["var"]]}}}

with open(f"{out}/expected.json", "w") as f:
    json.dump(expected, f)
print(len(expected))
