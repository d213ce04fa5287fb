package org.computeledger.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the parsers of allocations written as one JSON document share ({@link SlurmJsonParser},
 * {@link KubectlPodsParser}): the document is streamed with Jackson one record of its top-level array at a
 * time, each record reported at the line its value opens and every other line ignored, so that the line
 * counts add up for pretty-printed JSON; a syntax error ends the document (the records before it stand,
 * its line is quarantined); quarantined raw JSON has the format's personal fields masked at any depth.
 * Each parser keeps only its format: which array holds the records and how one record becomes rows.
 */
abstract class JsonAllocationParser extends FormatParserBase {
  private static final long serialVersionUID = 1L;

  static final ObjectMapper MAPPER = new ObjectMapper();
  // the caller owns the reader, and lines left after a syntax error still have to be counted
  private static final JsonFactory JSON =
      MAPPER.getFactory().copy().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);

  private final String arrayField;
  private final String recordsName;
  private final Set<String> personalFields;
  private final boolean oneDocument;

  /**
   * {@code arrayField}: the top-level array of records ("jobs", "items"); {@code recordsName}: what they
   * are called in a syntax error's reason ("jobs", "pods"); {@code personalFields}: masked in quarantine;
   * {@code oneDocument}: read only the file's first top-level value (else every one, as kubectl may print
   * several lists into one file).
   */
  JsonAllocationParser(String format, String arrayField, String recordsName, Set<String> personalFields,
      boolean oneDocument) {
    super(format, AllocationColumns.TABLE);
    this.arrayField = arrayField;
    this.recordsName = recordsName;
    this.personalFields = personalFields;
    this.oneDocument = oneDocument;
  }

  /**
   * A JSON document is one record spanning many lines, and cutting one of its lines would end it there;
   * what bounds memory is Jackson's streaming (one record at a time, at most 20 M characters per string by
   * its default StreamReadConstraints) and the per-value limit {@link Plausibility#MAX_FIELD_CHARS}.
   */
  @Override
  public final int maxLineChars() {
    return Integer.MAX_VALUE;
  }

  /** A file whose head opens a JSON object that {@link #isDocument} takes for this format's. */
  @Override
  public final boolean detect(String fileName, List<String> head, IngestParams params) {
    try {
      String s = String.join("\n", head).strip();
      if (!s.isEmpty() && s.charAt(0) == '\uFEFF') {
        s = s.substring(1).strip();
      }
      return !s.isEmpty() && s.charAt(0) == '{' && isDocument(s);
    } catch (RuntimeException e) {
      // detection must never fail a run; a file we cannot judge is simply not ours
      return false;
    }
  }

  /** Whether the head of a JSON object (the file's first lines, one text, no byte-order mark) is this format's. */
  abstract boolean isDocument(String head);

  /** What one file's records share while it is read: its parameters, the sink and the lines reported. */
  static final class Records {
    final IngestParams params;
    final RowSink sink;
    /** User names already pseudonymised in this file (the keyed hash is costly). */
    final Map<String, String> pseudonyms = new HashMap<>();
    private final BitSet reported = new BitSet();

    Records(IngestParams params, RowSink sink) {
      this.params = params;
      this.sink = sink;
    }

    /** Marks {@code line} as accepted or quarantined, so it is not also counted as ignored. */
    void report(long line) {
      if (line >= 1 && line < Integer.MAX_VALUE) {
        reported.set((int) line);
      }
    }
  }

  /**
   * One element of the records array, the parser standing on its first token {@code t} opened at
   * {@code line}: reads the whole element, reports the lines it accepts or quarantines and emits its rows.
   */
  abstract void record(JsonParser p, JsonToken t, long line, Records r) throws IOException;

  /** The quarantine reason for a top-level value that is not a document of this format ({@code root}: its token). */
  abstract String notADocument(JsonToken root);

  @Override
  public final void parse(InputFile file, Reader in, RowSink out) throws IOException {
    Records r = new Records(file.params(), new Masked(out, personalFields));
    LineTrackingReader reader = new LineTrackingReader(in);
    try (JsonParser p = JSON.createParser(reader)) {
      JsonToken root;
      while ((root = p.nextToken()) != null) {
        long line = p.currentTokenLocation().getLineNr();
        if (root != JsonToken.START_OBJECT || !readRecords(p, r)) {
          r.report(line);
          r.sink.quarantine(line, notADocument(root), reader.lineText(line));
          if (!oneDocument && root != JsonToken.START_OBJECT) {
            p.skipChildren();
          }
        }
        if (oneDocument) {
          break;
        }
      }
    } catch (JsonProcessingException e) {
      long line = e.getLocation() == null ? Math.max(1, reader.lineNumber()) : e.getLocation().getLineNr();
      String raw = reader.lineText(line);
      reader.drain();
      r.report(line);
      String damage = Plausibility.textDamage(raw);
      r.sink.quarantine(line, (damage == null ? "" : damage + "; ") + "not valid JSON at line " + line + ": "
          + e.getOriginalMessage() + " (the " + recordsName + " before it stand, none after it is read)", raw);
    }
    reader.drain();
    for (long l = 1; l <= reader.lineCount(); l++) {
      if (!r.reported.get((int) l)) {
        r.sink.ignore(l);
      }
    }
  }

  /** Reads one top-level object, handing each element of its records array to {@link #record}; false without one. */
  private boolean readRecords(JsonParser p, Records r) throws IOException {
    boolean found = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (!field.equals(arrayField) || value != JsonToken.START_ARRAY) {
        p.skipChildren();
        continue;
      }
      found = true;
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
        record(p, t, p.currentTokenLocation().getLineNr(), r);
      }
    }
    return found;
  }

  /** A field's text; null when absent, not a plain value, null or empty. */
  static String text(JsonNode parent, String field) {
    JsonNode v = parent.path(field);
    if (!v.isValueNode() || v.isNull()) {
      return null;
    }
    String s = v.asText();
    return s.isEmpty() ? null : s;
  }

  /** Quarantined records keep their structure but not the format's personal fields, at any depth. */
  static final class Masked extends RawMaskingSink {
    private final Set<String> fields;

    Masked(RowSink out, Set<String> fields) {
      super(out);
      this.fields = fields;
    }

    @Override
    String mask(String raw) {
      if (raw == null || !raw.startsWith("{")) {
        return raw;
      }
      try {
        JsonNode node = MAPPER.readTree(raw);
        if (node == null || !node.isObject()) {
          return raw;
        }
        maskFields(node);
        return node.toString();
      } catch (IOException e) {
        return raw;
      }
    }

    private void maskFields(JsonNode node) {
      if (node instanceof ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
          if (fields.contains(name)) {
            o.put(name, "<masked>");
          } else {
            maskFields(o.get(name));
          }
        }
      } else if (node != null && node.isArray()) {
        node.forEach(this::maskFields);
      }
    }
  }
}
