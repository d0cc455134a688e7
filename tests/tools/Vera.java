// veraPDF, the reference validator for PDF/A and PDF/UA, driven for the tests (tests/verapdf.py).
//
//   java -cp <veraPDF library and JAXB jars> tests/tools/Vera.java FLAVOUR=FILE.pdf...
//
// FLAVOUR is veraPDF's name of a profile (ua1, 2u, 3u, ...); several files (and flavours) are
// validated in one run, because starting Java costs seconds. For each pair it prints
//   file<TAB>flavour<TAB>compliant|failed|error
// and, for a failed one, one line per failed rule (sorted, so the report is stable):
//   <TAB>clause-test<TAB>times<TAB>the rule's description<TAB>where it first failed
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.VeraPDFFoundry;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.TestAssertion;
import org.verapdf.pdfa.results.ValidationResult;

import java.io.FileInputStream;
import java.util.Map;
import java.util.TreeMap;

public class Vera {
  public static void main(String[] args) throws Exception {
    VeraGreenfieldFoundryProvider.initialise();
    for (String arg : args) {
      int at = arg.indexOf('=');
      String flavour = arg.substring(0, at), file = arg.substring(at + 1);
      PDFAFlavour fl = PDFAFlavour.fromString(flavour);
      if (fl == PDFAFlavour.NO_FLAVOUR) throw new IllegalArgumentException("unknown flavour " + flavour);
      try (VeraPDFFoundry foundry = Foundries.defaultInstance();
           PDFAParser parser = foundry.createParser(new FileInputStream(file), fl);
           PDFAValidator validator = foundry.createValidator(fl, false)) {
        ValidationResult result = validator.validate(parser);
        System.out.println(file + "\t" + flavour + "\t" + (result.isCompliant() ? "compliant" : "failed"));
        Map<String, String[]> failed = new TreeMap<>();
        for (TestAssertion t : result.getTestAssertions()) {
          if (t.getStatus() != TestAssertion.Status.FAILED) continue;
          String rule = t.getRuleId().getClause() + "-" + t.getRuleId().getTestNumber();
          String[] seen = failed.get(rule);
          if (seen == null) {
            String where = t.getLocation() == null ? "" : t.getLocation().getContext();
            failed.put(rule, new String[] {"1", clean(t.getMessage()), clean(where)});
          } else {
            seen[0] = Integer.toString(Integer.parseInt(seen[0]) + 1);
          }
        }
        for (Map.Entry<String, String[]> e : failed.entrySet())
          System.out.println("\t" + e.getKey() + "\t" + String.join("\t", e.getValue()));
      } catch (Exception e) {
        System.out.println(file + "\t" + flavour + "\terror\t" + clean(String.valueOf(e)));
      }
    }
  }

  private static String clean(String text) {
    return text == null ? "" : text.replaceAll("\\s+", " ").trim();
  }
}
