package org.computeledger.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * Ingest of DCGM telemetry pulled through Prometheus's HTTP API: the JSON of {@code /api/v1/query_range}
 * (result type {@code matrix}) and {@code /api/v1/query} ({@code vector}, or {@code matrix} for a range
 * selector), as Prometheus, Thanos and Mimir write it (https://prometheus.io/docs/prometheus/latest/querying/api/),
 * one response or several concatenated per file, gzipped or not. Each sample becomes one
 * {@code gpu_samples} row holding its metric's column, exactly as {@link PrometheusParser} maps a text
 * line (the same metric table, value checks and labels); the ingest then merges rows per (file, host,
 * GPU, MIG instance, ts).
 *
 * <p>A response is one JSON document whose records are samples, not lines: each sample is accepted or
 * quarantined at the line where its {@code [time, "value"]} pair opens (all at line 1 in the API's
 * own one-line output) and every line holding no sample is a line without records, so read = accepted
 * + quarantined holds. It is read with Jackson's streaming parser, one series at a time: months of
 * history are never one tree in memory.
 *
 * <p>Conventions: times are epoch seconds with a fraction (milliseconds); values are strings ("1.5",
 * "NaN", "+Inf"). The query engine never returns staleness markers (they are "not exposed to users",
 * https://robustperception.io/staleness-and-promql: a series simply has no point after it ends), so a
 * {@code NaN} here is an ordinary NaN, and like a DCGM blank sentinel it is no reading and no error:
 * its line is a line without records. A query_range point carries the evaluation time (start + k × step),
 * not the scrape time, and the last sample at or before it; a range selector in an instant query
 * ({@code metric[1h]}) returns the stored samples with their own times.
 */
public final class PrometheusJsonParser extends FormatParserBase {
  private static final long serialVersionUID = 1L;

  public static final String FORMAT = "prometheus-api-json";

  // the caller owns the reader, and lines left after a syntax error still have to be counted
  private static final JsonFactory JSON = new JsonFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  private static final Table TABLE = Table.GPU_SAMPLES;
  private static final int I_TS = TABLE.index(GpuSamples.TS);
  private static final long MAX_EPOCH_SECONDS = 253_402_300_800L;

  public PrometheusJsonParser() {
    super(FORMAT, TABLE);
  }

  @Override
  public boolean mergesSamples() {
    return true;
  }

  /** One response is often one line of many megabytes; Jackson's streaming bounds what is held. */
  @Override
  public int maxLineChars() {
    return Integer.MAX_VALUE;
  }

  /**
   * A JSON object whose head has the API envelope: {@code "status"} and a {@code "data"} object with
   * {@code "resultType"} (or an error response's {@code "errorType"}).
   */
  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    if (head == null) {
      return false;
    }
    try {
      String first = FormatDetector.firstNonBlank(head);
      if (first == null || !first.stripLeading().replace("\uFEFF", "").startsWith("{")) {
        return false;
      }
      String s = String.join("\n", head);
      return s.contains("\"status\"")
          && ((s.contains("\"data\"") && s.contains("\"resultType\"")) || s.contains("\"errorType\""));
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    LineTrackingReader reader = new LineTrackingReader(in);
    Scan scan = new Scan(file, sink);
    try (JsonParser p = JSON.createParser(reader)) {
      JsonToken root;
      while ((root = p.nextToken()) != null) {
        long line = p.currentTokenLocation().getLineNr();
        if (root != JsonToken.START_OBJECT) {
          scan.reject(line, "expected a Prometheus API response object ({\"status\": ..., \"data\": ...}), found "
              + root, reader.lineText(line));
          p.skipChildren();
          continue;
        }
        String bad = scan.response(p);
        if (bad != null) {
          scan.reject(line, bad, reader.lineText(line));
        }
      }
    } catch (JsonProcessingException e) {
      long line = e.getLocation() == null ? Math.max(1, reader.lineNumber()) : e.getLocation().getLineNr();
      String raw = reader.lineText(line);
      reader.drain();
      String damage = Plausibility.textDamage(raw);
      scan.reject(line, (damage == null ? "" : damage + "; ") + "not valid JSON at line " + line + ": "
          + e.getOriginalMessage() + " (the samples before it stand, none after it is read)", raw);
    }
    reader.drain();
    for (long l = 1; l <= reader.lineCount(); l++) {
      if (!scan.reported.get((int) Math.min(Integer.MAX_VALUE, l))) {
        sink.ignore(l);
      }
    }
  }

  /** State of one file's parse: where records were reported, and the series being read. */
  private static final class Scan {
    private final InputFile file;
    private final RowSink sink;
    private final BitSet reported = new BitSet();
    private final long earliestSeconds;
    private final long latestSeconds;
    private final String[] vals = new String[PrometheusParser.labelCount()];
    private final StringBuilder seriesText = new StringBuilder();
    private String name;
    private int metric;
    /** Why the current series' samples cannot be rows (no host, no GPU), or null. */
    private String seriesProblem;
    private String host;
    private Integer gpuIndex;

    Scan(InputFile file, RowSink sink) {
      this.file = file;
      this.sink = sink;
      this.earliestSeconds = Plausibility.EARLIEST.getEpochSecond();
      IngestParams params = file.params();
      this.latestSeconds = params == null ? Long.MAX_VALUE : Plausibility.latest(params).getEpochSecond();
    }

    void reject(long line, String reason, String raw) {
      reported.set((int) Math.min(Integer.MAX_VALUE, line));
      sink.quarantine(line, reason, raw);
    }

    /** Reads one response object (its START_OBJECT read); null, or why it holds no series. */
    String response(JsonParser p) throws IOException {
      String status = null;
      String errorType = null;
      String error = null;
      boolean data = false;
      String noSeries = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "status" -> status = t.isScalarValue() ? p.getText() : null;
          case "errorType" -> errorType = t.isScalarValue() ? p.getText() : null;
          case "error" -> error = t.isScalarValue() ? p.getText() : null;
          case "data" -> {
            if (t == JsonToken.START_OBJECT) {
              noSeries = data(p);
              data = true;
            } else {
              p.skipChildren();
            }
          }
          default -> p.skipChildren();
        }
      }
      if ("error".equals(status) || errorType != null) {
        return "Prometheus API error response: " + (errorType == null ? "" : errorType + ": ")
            + (error == null ? "(no message)" : error);
      }
      if (noSeries != null) {
        return noSeries;
      }
      return data ? null : "expected a Prometheus API response with a data object (status '" + status + "')";
    }

    /** Reads the data object through its end; null, or why it holds no series (a scalar or string result). */
    private String data(JsonParser p) throws IOException {
      String resultType = null;
      String noSeries = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("resultType") && t.isScalarValue()) {
          resultType = p.getText();
        } else if (field.equals("result") && t == JsonToken.START_ARRAY) {
          if ("scalar".equals(resultType) || "string".equals(resultType)) {
            noSeries = "result type '" + resultType + "' holds no series (expected matrix or vector)";
            p.skipChildren();
            continue;
          }
          JsonToken e;
          while ((e = p.nextToken()) != JsonToken.END_ARRAY && e != null) {
            if (e == JsonToken.START_OBJECT) {
              series(p);
            } else {
              p.skipChildren();
            }
          }
        } else {
          p.skipChildren();
        }
      }
      return noSeries;
    }

    /** One element of the result: {@code {"metric": {...}, "values": [[t, "v"], ...]}} or {@code "value": [t, "v"]}. */
    private void series(JsonParser p) throws IOException {
      startSeries();
      boolean labelled = false;
      List<String[]> early = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if (field.equals("metric") && t == JsonToken.START_OBJECT) {
          labels(p);
          labelled = true;
          if (early != null) {
            // the pairs came before the labels (no known writer does this): read them now
            for (String[] pair : early) {
              sample(Long.parseLong(pair[0]), pair[1], pair[2]);
            }
            early = null;
          }
        } else if (field.equals("values") && t == JsonToken.START_ARRAY) {
          JsonToken e;
          while ((e = p.nextToken()) != JsonToken.END_ARRAY && e != null) {
            if (e == JsonToken.START_ARRAY) {
              early = pair(p, labelled, early);
            } else {
              p.skipChildren();
            }
          }
        } else if (field.equals("value") && t == JsonToken.START_ARRAY) {
          early = pair(p, labelled, early);
        } else {
          // native histograms ("histogram", "histograms") are no DCGM metric
          p.skipChildren();
        }
      }
      // pairs of an element without labels (early != null here) name no metric: no records, like other metrics
    }

    /** Reads one {@code [time, "value"]} (its START_ARRAY read), now or, before the labels, kept for later. */
    private List<String[]> pair(JsonParser p, boolean labelled, List<String[]> early) throws IOException {
      long line = p.currentTokenLocation().getLineNr();
      // the first two elements, whatever the pair holds; a malformed pair is read to its end all the same
      String[] two = new String[2];
      int k = 0;
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        if (k < 2 && t.isScalarValue()) {
          two[k] = p.getText();
        }
        p.skipChildren();
        k++;
      }
      String time = k == 2 ? two[0] : null;
      String value = k == 2 ? two[1] : null;
      if (labelled) {
        sample(line, time, value);
        return early;
      }
      List<String[]> kept = early == null ? new ArrayList<>() : early;
      kept.add(new String[] {Long.toString(line), time, value});
      return kept;
    }

    private void startSeries() {
      java.util.Arrays.fill(vals, null);
      seriesText.setLength(0);
      name = null;
      metric = -1;
      seriesProblem = null;
      host = null;
      gpuIndex = null;
    }

    /** Reads the metric object: the name from {@code __name__}, the labels we use by slot. */
    private void labels(JsonParser p) throws IOException {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String label = p.currentName();
        JsonToken t = p.nextToken();
        if (!t.isScalarValue()) {
          p.skipChildren();
          continue;
        }
        String v = p.getText();
        if (seriesText.length() < Plausibility.MAX_RAW_CHARS) {
          seriesText.append(seriesText.length() == 0 ? "" : ",").append(label).append("=\"")
              .append(v, 0, Math.min(v.length(), Plausibility.MAX_FIELD_CHARS)).append('"');
        }
        if (label.equals("__name__")) {
          name = v;
          continue;
        }
        int slot = PrometheusParser.labelSlot(label);
        if (slot < 0 || v.isEmpty()) {
          continue;
        }
        if (v.length() > Plausibility.MAX_FIELD_CHARS) {
          seriesProblem = "label " + label + ": longer than " + Plausibility.MAX_FIELD_CHARS + " characters";
        }
        vals[slot] = v;
      }
      metric = name == null ? -1 : PrometheusParser.metricIndex(name);
      if (metric < 0 || seriesProblem != null) {
        return;
      }
      host = PrometheusParser.hostOf(vals);
      if (host == null) {
        seriesProblem = "labels of " + name + ": expected Hostname, hostname or instance to name the host";
        return;
      }
      try {
        gpuIndex = PrometheusParser.gpuIndexOf(vals, name);
      } catch (Rejected e) {
        seriesProblem = e.getMessage();
      }
    }

    /** One sample of the current series, reported at {@code line}. */
    private void sample(long line, String time, String value) {
      if (metric < 0) {
        // another metric, or an expression's result that dropped __name__ (rate(...), avg(...)): no DCGM
        // series and no record
        return;
      }
      if (seriesProblem != null) {
        reject(line, seriesProblem, raw(time, value));
        return;
      }
      if (time == null || value == null) {
        reject(line, "sample of " + name + ": expected a [time, \"value\"] pair", raw(time, value));
        return;
      }
      double v = PrometheusParser.parseNumber(value, 0, value.length());
      if (Double.isNaN(v)) {
        if (!PrometheusParser.isNanToken(value, 0, value.length())) {
          reject(line, "value of " + name + ": expected a number, '" + value + "'", raw(time, value));
        }
        // an ordinary NaN (see the class comment): no reading; the line is counted without records
        return;
      }
      if (PrometheusParser.isBlankValue(metric, v)) {
        return;
      }
      String problem = PrometheusParser.valueProblem(metric, v, value);
      if (problem != null) {
        reject(line, problem, raw(time, value));
        return;
      }
      Timestamp ts = time(time);
      if (ts == null) {
        reject(line, "time of " + name + ": expected epoch seconds, '" + time + "'", raw(time, value));
        return;
      }
      long seconds = Math.floorDiv(ts.getTime(), 1000L);
      if (seconds < earliestSeconds || seconds > latestSeconds) {
        reject(line, Plausibility.implausibleTime("time", ts.toInstant(), time + " = " + ts.toInstant(),
            file.params()), raw(time, value));
        return;
      }
      Object[] row = sink.newRow();
      row[I_TS] = ts;
      PrometheusParser.seriesColumns(row, vals, host, gpuIndex);
      PrometheusParser.putValue(row, metric, v);
      reported.set((int) Math.min(Integer.MAX_VALUE, line));
      sink.emit(line, row);
      sink.recordAccepted();
    }

    private String raw(String time, String value) {
      return (name == null ? "" : name) + "{" + seriesText + "} [" + time + ", \""
          + (value == null ? "" : value) + "\"]";
    }
  }

  /** Epoch seconds as the API prints them ({@code 1709373600.781}, also a quoted string), exactly; null if none. */
  static Timestamp time(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    // the common form, digits with up to nine decimals, without a BigDecimal per sample
    long whole = 0;
    int n = text.length();
    int i = 0;
    while (i < n && i < 12 && TextScan.isDigit(text.charAt(i))) {
      whole = whole * 10 + (text.charAt(i++) - '0');
    }
    if (i > 0 && whole < MAX_EPOCH_SECONDS && (i == n || (text.charAt(i) == '.' && n - i - 1 <= 9 && n - i > 1))) {
      long nanos = 0;
      int digits = 0;
      boolean plain = true;
      for (int j = i + 1; j < n; j++, digits++) {
        char c = text.charAt(j);
        if (!TextScan.isDigit(c)) {
          plain = false;
          break;
        }
        nanos = nanos * 10 + (c - '0');
      }
      if (plain) {
        for (; digits < 9; digits++) {
          nanos *= 10;
        }
        return Timestamp.from(Instant.ofEpochSecond(whole, i == n ? 0 : nanos));
      }
    }
    try {
      BigDecimal d = new BigDecimal(text);
      if (d.signum() < 0 || d.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) >= 0) {
        return null;
      }
      long seconds = d.longValue();
      long nanos = d.subtract(BigDecimal.valueOf(seconds)).movePointRight(9).longValue();
      return Timestamp.from(Instant.ofEpochSecond(seconds, nanos));
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }
}
