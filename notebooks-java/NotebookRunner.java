// Runs a Jupyter notebook written for the JJava kernel without Jupyter: every code cell in order through
// the JDK's jdk.jshell API, in this JVM, with outputs (text, and PNG images given to display(...)) written
// back into the .ipynb. Launched by scripts/run-notebook with the project's class path; not part of the jar.
// Exit 1 (and the failing cell's error in the notebook) when a cell does not compile or throws.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;

public class NotebookRunner {
  // what display(...) prints for an image, so that the runner can lift it out of the text
  static final String IMAGE_START = "\u0001image/png:";
  static final String IMAGE_END = "\u0001";

  /**
   * JJava has display(Object) built in; here it is defined for the notebook: an image (or an XChart
   * chart) becomes image/png, anything else its text.
   */
  static final String PREAMBLE = """
      void display(Object o) {
        java.awt.image.BufferedImage img = null;
        if (o instanceof java.awt.image.BufferedImage b) img = b;
        else if (o instanceof org.knowm.xchart.internal.chartpart.Chart<?, ?> c) img = org.knowm.xchart.BitmapEncoder.getBufferedImage(c);
        if (img == null) { System.out.println(o); return; }
        try {
          var bytes = new java.io.ByteArrayOutputStream();
          javax.imageio.ImageIO.write(img, "png", bytes);
          System.out.print("\\u0001image/png:" + java.util.Base64.getEncoder().encodeToString(bytes.toByteArray()) + "\\u0001");
        } catch (java.io.IOException e) { throw new java.io.UncheckedIOException(e); }
      }
      """;

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: run-notebook NOTEBOOK.ipynb");
      System.exit(2);
    }
    Path nb = Path.of(args[0]).toAbsolutePath();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = (ObjectNode) json.readTree(nb.toFile());
    PrintStream realOut = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    int failed = 0;
    try (JShell shell = JShell.builder().executionEngine("local").out(capture).err(capture).build()) {
      for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        shell.addToClasspath(e);
      }
      // the imports jshell's DEFAULT start-up and JJava make for every notebook
      eval(shell, "import java.io.*; import java.math.*; import java.net.*; import java.nio.file.*; import java.util.*;"
          + " import java.util.concurrent.*; import java.util.function.*; import java.util.prefs.*;"
          + " import java.util.regex.*; import java.util.stream.*;", new StringBuilder());
      eval(shell, PREAMBLE, new StringBuilder());
      int count = 0;
      for (JsonNode cell : root.withArray("cells")) {
        if (!"code".equals(cell.path("cell_type").asText())) {
          continue;
        }
        count++;
        ObjectNode c = (ObjectNode) cell;
        String source = text(c.get("source"));
        realOut.printf("run-notebook: %s cell %d%n", nb.getFileName(), count);
        StringBuilder result = new StringBuilder();
        String error = null;
        captured.reset();
        PrintStream before = System.out;
        System.setOut(capture);
        try {
          error = eval(shell, magics(source, nb.getParent(), shell), result);
        } finally {
          System.setOut(before);
        }
        ArrayNode outputs = json.createArrayNode();
        String printed = captured.toString(StandardCharsets.UTF_8);
        Matcher m = Pattern.compile(Pattern.quote(IMAGE_START) + "([A-Za-z0-9+/=]+)" + Pattern.quote(IMAGE_END))
            .matcher(printed);
        StringBuilder text = new StringBuilder();
        int at = 0;
        List<String> images = new ArrayList<>();
        while (m.find()) {
          text.append(printed, at, m.start());
          images.add(m.group(1));
          at = m.end();
        }
        text.append(printed.substring(at));
        if (text.length() > 0) {
          outputs.addObject().put("output_type", "stream").put("name", "stdout").set("text", lines(json, text.toString()));
        }
        for (String png : images) {
          ObjectNode d = outputs.addObject().put("output_type", "display_data");
          d.putObject("data").put("image/png", png).put("text/plain", "<image>");
          d.putObject("metadata");
        }
        if (error == null && result.length() > 0) {
          ObjectNode r = outputs.addObject().put("output_type", "execute_result").put("execution_count", count);
          r.putObject("data").set("text/plain", lines(json, result.toString()));
          r.putObject("metadata");
        }
        if (error != null) {
          ObjectNode e = outputs.addObject().put("output_type", "error").put("ename", "CellFailed").put("evalue", error);
          e.putArray("traceback").add(error);
          failed = count;
        }
        c.set("outputs", outputs);
        c.put("execution_count", count);
        if (error != null) {
          realOut.printf("run-notebook: %s cell %d failed: %s%n", nb.getFileName(), count, error);
          break;
        }
      }
    }
    Files.writeString(nb, json.writeValueAsString(root) + "\n");
    System.exit(failed == 0 ? 0 : 1);
  }

  /** JJava's line magics: %jars adds jars (relative to the notebook), %maven is left to JJava (the class path has them). */
  static String magics(String source, Path dir, JShell shell) {
    StringBuilder java = new StringBuilder();
    for (String line : source.split("\n", -1)) {
      String t = line.strip();
      if (t.startsWith("%jars ")) {
        for (String j : t.substring(6).strip().split("\\s+")) {
          shell.addToClasspath(dir.resolve(j).normalize().toString());
        }
        java.append('\n');
      } else if (t.startsWith("%")) {
        java.append('\n');
      } else {
        java.append(line).append('\n');
      }
    }
    return java.toString();
  }

  /** Evaluates a cell snippet by snippet; the last expression's value goes to {@code result}; returns the error, or null. */
  static String eval(JShell shell, String source, StringBuilder result) {
    SourceCodeAnalysis sca = shell.sourceCodeAnalysis();
    String rest = source;
    while (!rest.isBlank()) {
      SourceCodeAnalysis.CompletionInfo info = sca.analyzeCompletion(rest);
      String snippet = info.source();
      if (snippet == null || info.completeness() == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE) {
        return "incomplete Java at: " + rest.strip().lines().findFirst().orElse("");
      }
      result.setLength(0);
      for (SnippetEvent e : shell.eval(snippet)) {
        if (e.exception() != null) {
          Throwable x = e.exception();
          String name = x instanceof EvalException ee ? ee.getExceptionClassName() : x.getClass().getName();
          return name + ": " + x.getMessage();
        }
        if (e.status() == Snippet.Status.REJECTED) {
          StringBuilder d = new StringBuilder("does not compile: " + snippet.strip());
          shell.diagnostics(e.snippet()).forEach((Diag g) -> d.append(" | ").append(g.getMessage(null)));
          return d.toString();
        }
        // an expression's value: a bare expression becomes a temporary variable ($1), a named one stays an expression
        boolean expression = e.snippet().kind() == Snippet.Kind.EXPRESSION
            || e.snippet().subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
        if (expression && e.value() != null && e.causeSnippet() == null) {
          result.append(unquote(e.value()));
        }
      }
      rest = info.remaining();
    }
    return null;
  }

  /** JShell shows a String value as a Java literal; Jupyter shows the text itself, as JJava does. */
  static String unquote(String v) {
    if (v.length() < 2 || !v.startsWith("\"") || !v.endsWith("\"")) {
      return v;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 1; i < v.length() - 1; i++) {
      char c = v.charAt(i);
      if (c != '\\' || i + 1 >= v.length() - 1) {
        b.append(c);
        continue;
      }
      char n = v.charAt(++i);
      switch (n) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case '0' -> b.append('\0');
        case 'u' -> {
          b.append((char) Integer.parseInt(v.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> b.append(n);
      }
    }
    return b.toString();
  }

  static String text(JsonNode source) {
    if (source == null) {
      return "";
    }
    if (source.isArray()) {
      StringBuilder b = new StringBuilder();
      source.forEach(n -> b.append(n.asText()));
      return b.toString();
    }
    return source.asText();
  }

  static ArrayNode lines(ObjectMapper json, String s) {
    ArrayNode a = json.createArrayNode();
    int at = 0;
    while (at < s.length()) {
      int nl = s.indexOf('\n', at);
      int end = nl < 0 ? s.length() : nl + 1;
      a.add(s.substring(at, end));
      at = end;
    }
    return a;
  }
}
