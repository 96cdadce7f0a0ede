<!-- The resource descriptor of the DaCHS peer in tests/datasources/dachs.test.ts: the FITS
  spectra the test puts into data/ (1D, linear WCS, RA/DEC/OBJECT/DATE-OBS/EXPTIME cards) as an
  SSAP service (ssa/ssap.xml, access references to DaCHS's /getproduct) with a DataLink service
  (sdl/dlmeta) whose SODA endpoint (sdl/dlget) cuts them by BAND into SDM VOTables. -->
<resource schema="vcspec" resdir=".">
  <meta name="creationDate">2026-11-26T00:00:00Z</meta>
  <meta name="title">vocloud test spectra</meta>
  <meta name="description">Synthetic 1D spectra published by the vocloud test suite.</meta>
  <meta name="subject">spectroscopy</meta>
  <meta name="creator">vocloud tests</meta>
  <meta name="contentLevel">Research</meta>
  <meta name="type">Archive</meta>
  <meta name="coverage.waveband">Optical</meta>
  <meta name="ssap.dataSource">pointed</meta>
  <meta name="ssap.creationType">archival</meta>
  <meta name="productType">spectrum</meta>
  <meta name="ssap.testQuery">MAXREC=1</meta>

  <table id="raw_data" onDisk="True" adql="hidden" namePath="//ssap#instance">
    <LOOP listItems="ssa_dateObs ssa_dstitle ssa_targname ssa_length ssa_timeExt ssa_specstart ssa_specend">
      <events><column original="\item"/></events>
    </LOOP>
    <mixin>//products#table</mixin>
    <mixin>//ssap#plainlocation</mixin>
    <mixin>//ssap#simpleCoverage</mixin>
    <column name="datalink" type="text" ucd="meta.ref.url" tablehead="Datalink"
      description="The spectrum's datalink document." verbLevel="15"/>
  </table>

  <data id="import">
    <recreateAfter>make_view</recreateAfter>
    <sources pattern="data/*.fits"/>
    <fitsProdGrammar qnd="True">
      <rowfilter procDef="//products#define">
        <bind key="table">"\schema.raw_data"</bind>
        <bind key="mime">"image/fits"</bind>
      </rowfilter>
    </fitsProdGrammar>
    <make table="raw_data">
      <rowmaker idmaps="*">
        <var key="specAx">getWCSAxis(@header_, 1)</var>
        <apply procDef="//ssap#fill-plainlocation">
          <bind key="ra">@RA</bind>
          <bind key="dec">@DEC</bind>
          <bind key="aperture">1/3600.</bind>
        </apply>
        <map key="ssa_dateObs">dateTimeToMJD(parseTimestamp(@DATE_OBS, "%Y-%m-%dT%H:%M:%S"))</map>
        <map key="ssa_dstitle">"{} {}".format(@OBJECT, @DATE_OBS)</map>
        <map key="ssa_targname">@OBJECT</map>
        <map key="ssa_specstart">@specAx.pixToPhys(1)*1e-10</map>
        <map key="ssa_specend">@specAx.pixToPhys(@specAx.axisLength)*1e-10</map>
        <map key="ssa_length">@specAx.axisLength</map>
        <map key="ssa_timeExt">@EXPTIME</map>
        <map key="datalink">\dlMetaURI{sdl}</map>
      </rowmaker>
    </make>
  </data>

  <table id="data" onDisk="True" adql="True">
    <meta name="_associatedDatalinkService">
      <meta name="serviceId">sdl</meta>
      <meta name="idColumn">ssa_pubDID</meta>
    </meta>
    <mixin sourcetable="raw_data" copiedcolumns="*"
      ssa_aperture="1/3600."
      ssa_fluxunit="'erg/s/cm2/A'"
      ssa_spectralunit="'Angstrom'"
      ssa_bandpass="'Optical'"
      ssa_collection="'vocloud-test'"
      ssa_fluxcalib="'RELATIVE'"
      ssa_fluxucd="'phot.flux.density;em.wl'"
      ssa_speccalib="'ABSOLUTE'"
      ssa_spectralucd="'em.wl'"
      ssa_targclass="'star'"
    >//ssap#view</mixin>
  </table>

  <data id="make_view" auto="False">
    <make table="data"/>
  </data>

  <table id="instance" onDisk="False">
    <mixin ssaTable="data" spectralDescription="Wavelength" fluxDescription="Flux density"
      >//ssap#sdm-instance</mixin>
  </table>

  <data id="build_spectrum">
    <embeddedGrammar>
      <iterator>
        <code>
          from gavo.utils import pyfits
          path = os.path.join(base.getConfig("inputsDir"),
            urllib.parse.unquote(self.sourceToken["ssa_pubDID"].split('?', 1)[-1]))
          hdus = pyfits.open(path)
          ax = getWCSAxis(hdus[0].header, 1)
          for i, flux in enumerate(hdus[0].data):
            yield {"spectral": ax.pixToPhys(i + 1), "flux": float(flux)}
        </code>
      </iterator>
    </embeddedGrammar>
    <make table="instance">
      <parmaker><apply procDef="//ssap#feedSSAToSDM"/></parmaker>
    </make>
  </data>

  <service id="sdl" allowed="dlget,dlmeta">
    <meta name="title">vocloud test spectra datalink</meta>
    <datalinkCore>
      <descriptorGenerator procDef="//soda#sdm_genDesc">
        <bind key="ssaTD">"\rdId#data"</bind>
      </descriptorGenerator>
      <dataFunction procDef="//soda#sdm_genData">
        <bind key="builder">"\rdId#build_spectrum"</bind>
      </dataFunction>
      <FEED source="//soda#sdm_plainfluxcalib"/>
      <FEED source="//soda#sdm_cutout"/>
      <FEED source="//soda#sdm_format"/>
    </datalinkCore>
  </service>

  <service id="ssa" allowed="ssap.xml">
    <meta name="shortName">vcspec SSAP</meta>
    <meta name="ssap.complianceLevel">full</meta>
    <ssapCore queriedTable="data">
      <FEED source="//ssap#hcd_condDescs"/>
    </ssapCore>
  </service>
</resource>
