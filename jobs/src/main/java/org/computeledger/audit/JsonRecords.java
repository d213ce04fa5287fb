package org.computeledger.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import org.computeledger.ingest.FormatParser;
import org.computeledger.ingest.InputFile;
import org.computeledger.ingest.KubectlPodsParser;
import org.computeledger.ingest.PrometheusJsonParser;
import org.computeledger.ingest.SlurmJsonParser;

/**
 * Evidence from the JSON formats, for {@link AuditSample} and {@link AuditRecompute}: a pod list, a
 * {@code sacct --json} document or a Prometheus API response is one document over many lines, so its
 * lines cannot be copied one by one and parsed again. What is copied instead is each record object that
 * holds an evidence row (a pod, a Slurm job with its steps, a Prometheus series with all its points),
 * exactly as its text stands in the file from its opening to its closing brace, with its first and last
 * line. The recompute puts the copied objects back into the smallest document of their format (a fixed
 * envelope per format, {@link #ENVELOPES}) and parses that with the product's own parser, each row given
 * back the line number it had in the file.
 */
public final class JsonRecords {
  /** Where a format's record objects sit: the array under these keys of each top-level object. */
  static final Map<String, String[]> PATHS = Map.of(
      KubectlPodsParser.FORMAT, new String[] {"items"},
      SlurmJsonParser.FORMAT, new String[] {"jobs"},
      PrometheusJsonParser.FORMAT, new String[] {"data", "result"});

  /**
   * The document a format's records are put back into, before and after them. The envelope carries no
   * value a row takes (a pod list's kind and a response's status and result type only let the parser
   * read the array); "matrix" also reads an instant vector's series, whose {@code value} names its time.
   */
  static final Map<String, String[]> ENVELOPES = Map.of(
      KubectlPodsParser.FORMAT, new String[] {"{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [", "]}"},
      SlurmJsonParser.FORMAT, new String[] {"{\"jobs\": [", "]}"},
      PrometheusJsonParser.FORMAT, new String[] {
          "{\"status\": \"success\", \"data\": {\"resultType\": \"matrix\", \"result\": [", "]}}"});

  private static final JsonFactory JSON = new JsonFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  /** A record object in a file: its first and last line (1-based) and its characters [start, end). */
  record Span(long firstLine, long lastLine, long start, long end) {}

  /** A copied record object: its lines in the file and its exact text. */
  public record Fragment(long firstLine, long lastLine, String text) {}

  private JsonRecords() {}

  /** Whether a format's evidence is copied as whole record objects. */
  public static boolean copiesObjects(String format) {
    return PATHS.containsKey(format);
  }

  /**
   * The record objects of a decoded file (as {@link org.computeledger.ingest.EvidenceText} gives it) that
   * hold any of {@code lines}, in file order. A syntax error ends the search, as it ends the parse.
   */
  static List<Span> spans(Reader text, String format, NavigableSet<Long> lines) throws IOException {
    String[] path = PATHS.get(format);
    List<Span> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(withoutBom(text))) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT) {
          find(p, path, 0, lines, out);
        } else {
          p.skipChildren();
        }
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      // the parser stopped here too: no record after this point was read
    }
    return out;
  }

  /** Inside an object (its START_OBJECT read): follows {@code path} from {@code depth}, collecting spans. */
  private static void find(JsonParser p, String[] path, int depth, NavigableSet<Long> lines, List<Span> out)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if (!field.equals(path[depth])) {
        p.skipChildren();
      } else if (depth + 1 < path.length && v == JsonToken.START_OBJECT) {
        find(p, path, depth + 1, lines, out);
      } else if (depth + 1 == path.length && v == JsonToken.START_ARRAY) {
        JsonToken e;
        while ((e = p.nextToken()) != JsonToken.END_ARRAY && e != null) {
          if (e != JsonToken.START_OBJECT) {
            p.skipChildren();
            continue;
          }
          long first = p.currentTokenLocation().getLineNr();
          long start = p.currentTokenLocation().getCharOffset();
          p.skipChildren();
          long last = p.currentTokenLocation().getLineNr();
          long end = p.currentTokenLocation().getCharOffset() + 1;
          Long hit = lines.ceiling(first);
          if (hit != null && hit <= last) {
            out.add(new Span(first, last, start, end));
          }
        }
      } else {
        p.skipChildren();
      }
    }
  }

  /** The text of the spans (in file order, not overlapping), read once from the decoded file. */
  static List<Fragment> cut(Reader text, List<Span> spans) throws IOException {
    List<Fragment> out = new ArrayList<>();
    Reader in = withoutBom(text);
    char[] buf = new char[1 << 16];
    long pos = 0;
    int i = 0;
    StringBuilder current = new StringBuilder();
    int n;
    while (i < spans.size() && (n = in.read(buf)) > 0) {
      long bufStart = pos;
      pos += n;
      while (i < spans.size()) {
        Span s = spans.get(i);
        long from = Math.max(s.start(), bufStart);
        long to = Math.min(s.end(), pos);
        if (from < to) {
          current.append(buf, (int) (from - bufStart), (int) (to - from));
        }
        if (s.end() > pos) {
          break;
        }
        out.add(new Fragment(s.firstLine(), s.lastLine(), current.toString()));
        current.setLength(0);
        i++;
      }
    }
    return out;
  }

  /**
   * Parses copied record objects as the file they came from: put back into the format's envelope, one per
   * line block, and read by the product's parser; each row is given back the line it had in the file.
   */
  public static List<RawLines.Parsed> reparse(FormatParser parser, InputFile file, List<Fragment> fragments)
      throws IOException {
    String[] envelope = ENVELOPES.get(parser.format());
    StringBuilder doc = new StringBuilder(envelope[0]).append('\n');
    // the document's line where each fragment starts, and how many lines it has
    long[] startLine = new long[fragments.size()];
    long[] lineCount = new long[fragments.size()];
    long line = 2;
    for (int i = 0; i < fragments.size(); i++) {
      Fragment f = fragments.get(i);
      if (i > 0) {
        doc.append(",\n");
        line++;
      }
      startLine[i] = line;
      lineCount[i] = f.text().chars().filter(c -> c == '\n').count() + 1;
      doc.append(f.text()).append('\n');
      line += lineCount[i];
    }
    doc.append(envelope[1]).append('\n');
    RawLines.Collecting sink = new RawLines.Collecting(parser.table());
    parser.parse(file, new StringReader(doc.toString()), sink);
    List<RawLines.Parsed> out = new ArrayList<>();
    for (RawLines.Parsed p : sink.rows) {
      for (int i = 0; i < fragments.size(); i++) {
        if (p.line() >= startLine[i] && p.line() < startLine[i] + lineCount[i]) {
          out.add(new RawLines.Parsed(fragments.get(i).firstLine() + p.line() - startLine[i], p.row()));
          break;
        }
      }
    }
    return out;
  }

  /** SHA-256 of a fragment's text in UTF-8, as the evidence states it. */
  public static String sha256(String text) {
    try {
      return InputCheck.hex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The decoded text without a leading byte-order mark, which the JSON parsers drop before reading. */
  private static Reader withoutBom(Reader text) throws IOException {
    java.io.PushbackReader r = new java.io.PushbackReader(text, 1);
    int c = r.read();
    if (c >= 0 && c != '\uFEFF') {
      r.unread(c);
    }
    return r;
  }
}
