"""Synthesise spectra in the published layouts of several archives (CCD700/IRAF 1-D images,
LAMOST old image and new table, SDSS spec, DataLink/SDM table, SSA VOTable) with astropy, and
dump the expected axis computed independently (astropy.wcs where it applies).

Usage: /usr/bin/python3 gen_spectra.py OUTDIR"""
import json
import sys
import warnings

import numpy as np
from astropy.io import fits
from astropy.io.votable.tree import VOTableFile, Resource, Table as VTable, Field, Param
from astropy.wcs import WCS

warnings.simplefilter("ignore")
out = sys.argv[1]
rng = np.random.default_rng(7)
exp = {}


def save(name, hdul, wave, flux, error=None, **meta):
    hdul.writeto(f"{out}/{name}", overwrite=True)
    exp[name] = {"wave": [float(x) for x in wave], "flux": [float(x) for x in flux],
                 "error": None if error is None else [float(x) if np.isfinite(x) else "NaN" for x in error], "meta": meta}


# Ondřejov CCD700-like: 1-D float32 image, linear WCS in Angstrom
n = 1997
flux = (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)
h = fits.PrimaryHDU(flux)
hd = h.header
hd.update(CRVAL1=6254.7, CDELT1=0.2563, CRPIX1=1.0, CTYPE1="WAVELENGTH", CUNIT1="Angstrom", BUNIT="counts",
          OBJECT="HD 12345", DATE_OBS="2009-03-04", TELESCOP="Ondrejov 2m", INSTRUME="CCD700")
hd["DATE-OBS"] = "2009-03-04T20:11:12"
hd["RA"] = "05:34:31.94"
hd["DEC"] = "+22:00:52.2"
del hd["DATE_OBS"]
w = WCS(hd).pixel_to_world_values(np.arange(n))
save("ccd700.fits", fits.HDUList([h]), np.asarray(w) * (1e10 if abs(w[0]) < 1 else 1), flux,
     object="HD 12345", ra=83.633083333, dec=22.014500, dateObs="2009-03-04T20:11:12", sourceFormat="fits-image-linear")

# the same with CD1_1 and CRPIX1 = 100 (WCS reference pixel mid-spectrum), gzip-compressed
h2 = fits.PrimaryHDU(flux)
h2.header.update(CRVAL1=6300.0, CD1_1=0.25, CRPIX1=100.0, CTYPE1="AWAV", CUNIT1="Angstrom")
w2 = np.asarray(WCS(h2.header).pixel_to_world_values(np.arange(n))) * 1e10
h2.writeto(f"{out}/tmp.fits", overwrite=True)
import gzip, shutil
with open(f"{out}/tmp.fits", "rb") as fi, gzip.open(f"{out}/cd11.fits.gz", "wb") as fo:
    shutil.copyfileobj(fi, fo)
exp["cd11.fits.gz"] = {"wave": [float(x) for x in w2], "flux": [float(x) for x in flux], "error": None, "meta": {"sourceFormat": "fits-image-linear", "medium": "air"}}

# IRAF log-linear: DC-FLAG = 1, CRVAL1 in log10(Angstrom)
m = 1500
fl = rng.random(m).astype(np.float32)
h = fits.PrimaryHDU(fl)
h.header.update(CRVAL1=3.6, CDELT1=1e-4, CRPIX1=1.0, CTYPE1="LINEAR")
h.header["DC-FLAG"] = 1
save("iraf_log10.fits", fits.HDUList([h]), 10 ** (3.6 + 1e-4 * np.arange(m)), fl, sourceFormat="fits-image-log10")

# WCS paper III WAVE-LOG (astropy.wcs implements it)
h = fits.PrimaryHDU(fl)
h.header.update(CRVAL1=5000.0, CDELT1=0.5, CRPIX1=1.0, CTYPE1="WAVE-LOG", CUNIT1="Angstrom")
wl = np.asarray(WCS(h.header).pixel_to_world_values(np.arange(m))) * 1e10
save("wave_log.fits", fits.HDUList([h]), wl, fl, sourceFormat="fits-image-wave-log", medium="vacuum")

# natural-log axis written as CTYPE1 '...-LOG' with CRVAL1 = ln(lambda)
h = fits.PrimaryHDU(fl)
h.header.update(CRVAL1=float(np.log(4000.0)), CDELT1=2e-5, CRPIX1=1.0, CTYPE1="WAVE-LOG")
save("ln.fits", fits.HDUList([h]), np.exp(np.log(4000.0) + 2e-5 * np.arange(m)), fl, sourceFormat="fits-image-ln")

# LAMOST DR1-7 low resolution: primary image 5 x 3909 (flux, ivar, wavelength, andmask, ormask)
k = 3909
loglam = 3.5682 + 1e-4 * np.arange(k)
wave = (10 ** loglam).astype(np.float32)
lflux = (100 + 10 * rng.standard_normal(k)).astype(np.float32)
ivar = rng.random(k).astype(np.float32)
ivar[10] = 0
andm = rng.integers(0, 4, k).astype(np.float32)
orm = rng.integers(0, 4, k).astype(np.float32)
img = np.vstack([lflux, ivar, wave, andm, orm])
h = fits.PrimaryHDU(img)
h.header.update(TELESCOP="LAMOST", CRVAL1=3.5682, CD1_1=1e-4, CRPIX1=1.0, RA=10.5, DEC=-5.25, Z=0.0123, OBJNAME="J004200.00-051500.0")
h.header["DC-FLAG"] = 1
h.header["DATE-OBS"] = "2014-10-12T14:00:00"
err = np.where(ivar > 0, 1 / np.sqrt(np.where(ivar > 0, ivar, 1)), np.nan)
save("lamost_old.fits", fits.HDUList([h]), wave, lflux, err, sourceFormat="fits-image-rows", ra=10.5, dec=-5.25, redshift=0.0123)

# LAMOST DR8+ low resolution: BINTABLE COADD, one row, vector columns (order shuffled on purpose)
cols = [
    fits.Column(name="IVAR", format=f"{k}E", array=ivar[None, :]),
    fits.Column(name="ANDMASK", format=f"{k}J", array=andm.astype(np.int32)[None, :]),
    fits.Column(name="FLUX", format=f"{k}E", array=lflux[None, :]),
    fits.Column(name="WAVELENGTH", format=f"{k}E", array=wave[None, :]),
    fits.Column(name="ORMASK", format=f"{k}J", array=orm.astype(np.int32)[None, :]),
    fits.Column(name="NORMALIZATION", format=f"{k}E", array=lflux[None, :] / 100),
]
p = fits.PrimaryHDU()
p.header.update(TELESCOP="LAMOST", RA=10.5, DEC=-5.25, OBJNAME="J004200.00-051500.0")
save("lamost_new.fits", fits.HDUList([p, fits.BinTableHDU.from_columns(cols, name="COADD")]), wave, lflux, err,
     sourceFormat="fits-table-vector", ra=10.5, dec=-5.25)

# SDSS spec-PLATE-MJD-FIBER: HDU1 COADD with flux, loglam, ivar, masks, wdisp, sky, model
s = 3800
sloglam = (3.5796 + 1e-4 * np.arange(s)).astype(np.float32)
sflux = rng.standard_normal(s).astype(np.float32) + 5
sivar = rng.random(s).astype(np.float32) + 0.1
cols = [
    fits.Column(name="flux", format="E", array=sflux),
    fits.Column(name="loglam", format="E", array=sloglam),
    fits.Column(name="ivar", format="E", array=sivar),
    fits.Column(name="and_mask", format="J", array=np.zeros(s, np.int32)),
    fits.Column(name="or_mask", format="J", array=np.zeros(s, np.int32)),
    fits.Column(name="wdisp", format="E", array=np.ones(s, np.float32)),
    fits.Column(name="sky", format="E", array=np.ones(s, np.float32)),
    fits.Column(name="model", format="E", array=sflux),
]
p = fits.PrimaryHDU()
p.header.update(PLUG_RA=150.25, PLUG_DEC=2.5, MJD=52000, BUNIT="1E-17 erg/cm^2/s/Ang")
save("sdss.fits", fits.HDUList([p, fits.BinTableHDU.from_columns(cols, name="COADD")]),
     10 ** sloglam.astype(np.float64), sflux, 1 / np.sqrt(sivar.astype(np.float64)), sourceFormat="fits-table", ra=150.25, dec=2.5, mjd=52000, medium="vacuum")

# DataLink/SODA (DaCHS SDM-style) table: spectral in nm with TUCD, flux, flux_error
d = 500
spec_nm = np.linspace(400.0, 700.0, d)
dflux = rng.random(d)
derr = rng.random(d) * 0.1
cols = [
    fits.Column(name="flux", format="D", array=dflux, unit="erg/(s cm2 Angstrom)"),
    fits.Column(name="flux_error", format="D", array=derr),
    fits.Column(name="spectral", format="D", array=spec_nm, unit="nm"),
]
t = fits.BinTableHDU.from_columns(cols)
t.header["TUCD1"] = "phot.flux.density;em.wl"
t.header["TUCD3"] = "em.wl"
save("sdm.fits", fits.HDUList([fits.PrimaryHDU(), t]), spec_nm * 10, dflux, derr, sourceFormat="fits-table")

# SSA / Spectrum DM VOTable: wavelength in m, flux, error by utypes only (odd names)
vot = VOTableFile()
res = Resource()
vot.resources.append(res)
tab = VTable(vot)
res.tables.append(tab)
tab.params.append(Param(vot, name="TargetName", datatype="char", arraysize="*", value="NGC 1234", utype="spec:Spectrum.Target.Name"))
tab.params.append(Param(vot, name="Pos", datatype="double", arraysize="2", value="12.5 -33.25", utype="spec:Spectrum.Char.SpatialAxis.Coverage.Location.Value"))
tab.fields.extend([
    Field(vot, name="c1", datatype="double", unit="m", utype="spec:Spectrum.Data.SpectralAxis.Value"),
    Field(vot, name="c2", datatype="double", utype="spec:Spectrum.Data.FluxAxis.Accuracy.StatError"),
    Field(vot, name="c3", datatype="double", unit="erg/s/cm2/Angstrom", utype="spec:Spectrum.Data.FluxAxis.Value"),
])
v = 300
vw = np.linspace(5e-7, 6e-7, v)
vf = rng.random(v)
ve = rng.random(v) * 0.01
tab.create_arrays(v)
tab.array["c1"] = vw
tab.array["c2"] = ve
tab.array["c3"] = vf
vot.to_xml(f"{out}/ssa.vot.xml", tabledata_format="binary2")
exp["ssa.vot.xml"] = {"wave": [float(x) for x in vw * 1e10], "flux": [float(x) for x in vf], "error": [float(x) for x in ve],
                      "meta": {"object": "NGC 1234", "ra": 12.5, "dec": -33.25, "sourceFormat": "votable"}}

with open(f"{out}/expected.json", "w") as f:
    json.dump(exp, f)
