package org.computeledger.cli;

import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Start-up of the launcher's JVM: installs the HotSpot compiler directives that scripts/ledger names in
 * {@code -Dledger.jitDirectives} (for a large ingest, scripts/ingest-c2.json: C2 only for the per-line
 * and per-row code). Installed through the DiagnosticCommand MBean (what {@code jcmd Compiler.directives_add}
 * does) rather than {@code -XX:CompilerDirectivesFile}: that flag needs diagnostic options unlocked and
 * prints a line on standard output.
 */
final class JitDirectives {
  static final String PROPERTY = "ledger.jitDirectives";

  private JitDirectives() {}

  /** Installs the directives of the file the property names, if any. */
  static void install() {
    String file = System.getProperty(PROPERTY);
    if (file != null && !file.isBlank()) {
      add(file);
    }
  }

  /**
   * Adds a directives file; returns the JVM's answer (such as "2 compiler directives added"), or null
   * where the JVM has no such command: a speed setting only, the run is the same without it.
   */
  static String add(String file) {
    try {
      return String.valueOf(diagnosticCommand("compilerDirectivesAdd", file));
    } catch (Exception | LinkageError e) {
      return null;
    }
  }

  static Object diagnosticCommand(String operation, String... args) throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    return server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), operation,
        new Object[] {args}, new String[] {String[].class.getName()});
  }
}
