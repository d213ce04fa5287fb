package org.computeledger.estimate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The catalog tables a run prices with: the shipped dense peaks, MIG profiles and MIG GPUs, extended by a
 * lab's own files ({@code --catalog-file}, read before Spark starts). A file is a peak table, a MIG profile
 * table or a MIG GPU table, told apart by its header, and adds rows only: a pair the shipped table holds is an error, so a
 * sourced figure is never replaced in silence. Every error is one line naming the file, line and field. Each
 * file's SHA-256 ({@code sha256}, by name, of the bytes read) goes to the run's manifest, so that an audit sample
 * can tell the file it copies rows from is the one the report was priced with.
 */
public record CatalogFiles(PeakCatalog peaks, MigProfiles mig, List<String> extensions, Map<String, String> sha256,
    Double acceleratorUtil) {
  /** Larger than any real table; a bigger file is refused before it is read. */
  static final long MAX_BYTES = 16L << 20;

  public CatalogFiles {
    extensions = List.copyOf(extensions);
    sha256 = Collections.unmodifiableMap(new LinkedHashMap<>(sha256));
  }

  public CatalogFiles(PeakCatalog peaks, MigProfiles mig, List<String> extensions) {
    this(peaks, mig, extensions, Map.of(), null);
  }

  public static CatalogFiles shipped() {
    return new CatalogFiles(PeakCatalog.load(), MigProfiles.load(), List.of());
  }

  /** These tables with a utilization assumption of their own for TPU, Trainium, Inferentia and Gaudi time. */
  public CatalogFiles withAcceleratorUtilization(double u) {
    return new CatalogFiles(peaks, mig, extensions, sha256, u);
  }

  /** The estimator over these tables; the accelerator assumption's range widens the GPUs' to hold it. */
  public Flop flop(EstimateParams p) {
    Flop f = new Flop(peaks, mig, p);
    if (acceleratorUtil != null) {
      f.withAcceleratorUtilization(acceleratorUtil, Math.min(p.allocUtilLow(), acceleratorUtil),
          Math.max(p.allocUtilHigh(), acceleratorUtil));
    }
    return f;
  }

  /** The shipped tables extended by {@code files}, in order. */
  public static CatalogFiles load(List<Path> files) {
    CatalogFiles c = shipped();
    for (Path f : files) {
      c = c.plus(f);
    }
    return c;
  }

  CatalogFiles plus(Path file) {
    String name = file.toString();
    String text;
    String hash;
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException(name + ": expected a catalog file (CSV), found none");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new IllegalStateException(name + ": expected at most " + MAX_BYTES + " bytes, " + Files.size(file));
      }
      byte[] bytes = Files.readAllBytes(file);
      hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IOException e) {
      throw new IllegalStateException(name + ": cannot be read: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String header;
    try (BufferedReader r = new BufferedReader(new StringReader(text))) {
      header = r.readLine();
    } catch (IOException e) {
      throw new IllegalStateException(name + ": cannot be read: " + e.getMessage(), e);
    }
    String h = header == null ? "" : header.trim();
    try (Reader r = new StringReader(text)) {
      List<String> ext = new ArrayList<>(extensions);
      ext.add(name);
      Map<String, String> hashes = new LinkedHashMap<>(sha256);
      hashes.put(name, hash);
      if (h.equals(String.join(",", PeakCatalog.COLUMNS))) {
        return new CatalogFiles(peaks.plus(PeakCatalog.parse(r, peaks.version(), name), name), mig, ext,
            hashes, acceleratorUtil);
      }
      if (h.equals(String.join(",", MigProfiles.COLUMNS))) {
        return new CatalogFiles(peaks, mig.plus(MigProfiles.parse(r, name), name), ext, hashes,
            acceleratorUtil);
      }
      if (h.equals(String.join(",", MigGpus.COLUMNS))) {
        return new CatalogFiles(peaks, mig.plus(MigGpus.parse(r, name), name), ext, hashes, acceleratorUtil);
      }
    } catch (IOException e) {
      throw new IllegalStateException(name + ": cannot be read: " + e.getMessage(), e);
    }
    throw new IllegalStateException(name + " line 1: field (header): expected the columns of gpu_peaks.csv ("
        + String.join(",", PeakCatalog.COLUMNS) + "), of mig_profiles.csv (" + String.join(",", MigProfiles.COLUMNS)
        + ") or of mig_gpus.csv (" + String.join(",", MigGpus.COLUMNS) + "), '" + h + "'");
  }
}
