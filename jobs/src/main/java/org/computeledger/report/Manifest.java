package org.computeledger.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.computeledger.common.Concurrently;
import org.computeledger.common.LedgerException;
import org.computeledger.common.OutputDir;
import org.computeledger.ingest.Ingest;
import org.computeledger.schema.Table;

/**
 * {@code manifest.json}: every input file with its SHA-256 and counts (read = accepted +
 * quarantined), every output file with its SHA-256, and the versions and parameters of the run, so
 * that {@code ledger verify} and an auditor can tell whether a report is what the run wrote.
 */
public final class Manifest {
  public static final String FILE = OutputDir.MANIFEST;
  public static final String TOOL_VERSION = "0.1.0";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Manifest() {}

  public static ObjectNode newManifest(String command, Map<String, Object> parameters) {
    ObjectNode root = JSON.createObjectNode();
    root.put("tool", OutputDir.TOOL);
    root.put("tool_version", TOOL_VERSION);
    root.put("command", command);
    root.put("spark_version", org.apache.spark.package$.MODULE$.SPARK_VERSION());
    ObjectNode params = root.putObject("parameters");
    parameters.forEach((k, v) -> params.putPOJO(k, v));
    return root;
  }

  /** Adds the inputs section from an ingest: parsed files with counts, skipped documents, declarations. */
  public static void addInputs(ObjectNode root, Ingest.Result ingest) {
    ArrayNode inputs = root.putArray("inputs");
    long read = 0;
    long accepted = 0;
    long quarantined = 0;
    long duplicates = 0;
    long superseded = 0;
    for (Ingest.FileCounts f : ingest.files()) {
      ObjectNode n = inputs.addObject();
      n.put("path", f.file());
      n.put("format", f.format());
      n.put("sha256", f.sha256());
      n.put("bytes", f.bytes());
      n.put("lines", f.lines());
      n.put("records_read", f.read());
      n.put("records_accepted", f.accepted());
      n.put("records_quarantined", f.quarantined());
      n.put("lines_without_records", f.ignored());
      // a part of lines_without_records: Prometheus series that ended, no measurement lost
      n.put("staleness_markers", f.staleMarkers());
      n.put("rows_emitted", f.rows());
      n.put("duplicates_dropped", f.duplicatesDropped());
      n.put("records_superseded", f.recordsSuperseded());
      if (f.damage() != null) {
        n.put("damage", f.damage());
      }
      read += f.read();
      duplicates += f.duplicatesDropped();
      superseded += f.recordsSuperseded();
      accepted += f.accepted();
      quarantined += f.quarantined();
    }
    ArrayNode skipped = root.putArray("inputs_not_parsed");
    for (Ingest.Source s : ingest.sources()) {
      if (s.parser() == null) {
        ObjectNode n = skipped.addObject();
        n.put("path", s.display());
        n.put("bytes", s.bytes());
        n.put("kind", s.skippedAs());
      }
    }
    ObjectNode totals = root.putObject("input_totals");
    totals.put("files_parsed", ingest.files().size());
    totals.put("records_read", read);
    totals.put("records_accepted", accepted);
    totals.put("records_quarantined", quarantined);
    // accepted records that another record made redundant; they are part of records_accepted
    totals.put("duplicates_dropped", duplicates);
    totals.put("records_superseded", superseded);
    ObjectNode tables = root.putObject("table_rows");
    for (Map.Entry<Table, Long> e : ingest.tableRows().entrySet()) {
      tables.put(e.getKey().tableName(), e.getValue());
    }
  }

  /** Hashes every file under {@code dir} (bar Hadoop's own .crc side files) into the outputs section. */
  public static void addOutputs(ObjectNode root, Configuration conf, String dir) {
    ArrayNode outputs = root.putArray("outputs");
    for (String[] f : hashTree(conf, dir)) {
      ObjectNode n = outputs.addObject();
      n.put("path", f[0]);
      n.put("sha256", f[1]);
      n.put("bytes", Long.parseLong(f[2]));
    }
  }

  /**
   * Relative path, SHA-256 and size of each file under dir, sorted, leaving out the manifest itself. The
   * files are hashed on as many threads as the machine has cores, each taking the next file not yet taken:
   * a report is a few hundred files (a partition per day) and a run's canonical tables may be gigabytes, and
   * hashing them one after the other left every core but one idle at the end of each run.
   */
  public static List<String[]> hashTree(Configuration conf, String dir) {
    List<String> rels = new ArrayList<>();
    List<LocatedFileStatus> files = new ArrayList<>();
    FileSystem fs;
    try {
      Path root = new Path(dir);
      fs = root.getFileSystem(conf);
      root = fs.makeQualified(root);
      String prefix = root.toString() + "/";
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        LocatedFileStatus s = it.next();
        String rel = s.getPath().toString().substring(prefix.length());
        String name = s.getPath().getName();
        if (rel.equals(FILE) || name.endsWith(".crc") || name.equals("_SUCCESS")) {
          continue;
        }
        rels.add(rel);
        files.add(s);
      }
    } catch (IOException e) {
      throw new LedgerException(dir + ": cannot read output files: " + e.getMessage(), e);
    }
    String[] hashes = new String[files.size()];
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    Callable<Void> hasher = () -> {
      for (int i = next.getAndIncrement(); i < hashes.length; i = next.getAndIncrement()) {
        try {
          hashes[i] = sha256(fs, files.get(i).getPath());
        } catch (IOException e) {
          throw new LedgerException(dir + ": cannot read output files: " + e.getMessage(), e);
        }
      }
      return null;
    };
    int threads = Math.max(1, Math.min(hashes.length, Runtime.getRuntime().availableProcessors()));
    Concurrently.call(java.util.Collections.nCopies(threads, hasher));
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i < hashes.length; i++) {
      out.add(new String[] {rels.get(i), hashes[i], Long.toString(files.get(i).getLen())});
    }
    out.sort((a, b) -> a[0].compareTo(b[0]));
    return out;
  }

  public static String sha256OfManifest(Configuration conf, String dir) {
    Path p = new Path(dir, FILE);
    try {
      return sha256(p.getFileSystem(conf), p);
    } catch (IOException e) {
      throw new LedgerException(p + ": cannot be read: " + e.getMessage(), e);
    }
  }

  static String sha256(FileSystem fs, Path p) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (InputStream in = new DigestInputStream(fs.open(p), md)) {
        byte[] buf = new byte[1 << 16];
        while (in.read(buf) >= 0) {
          // hashing
        }
      }
      StringBuilder sb = new StringBuilder();
      for (byte b : md.digest()) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void write(ObjectNode root, Configuration conf, String dir) {
    try {
      Path p = new Path(dir, FILE);
      try (OutputStream out = p.getFileSystem(conf).create(p, true)) {
        out.write(JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
      }
    } catch (IOException e) {
      throw new LedgerException(dir + ": cannot write " + FILE + ": " + e.getMessage(), e);
    }
  }

  public static ObjectNode read(Configuration conf, String dir) {
    Path p = new Path(dir, FILE);
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new LedgerException(p + ": cannot read the manifest: " + e.getMessage(), e);
    }
  }
}
