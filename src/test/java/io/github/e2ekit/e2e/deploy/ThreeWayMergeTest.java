package io.github.e2ekit.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** kubectl's 3-way JSON merge patch (apimachinery pkg/util/jsonmergepatch), as a table. */
class ThreeWayMergeTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // case | last applied | manifest now | live | expected patch
                "nothing changed | {'a':1} | {'a':1} | {'a':1,'server':2} | {}",
                "a dropped field is removed | {'a':1,'b':2} | {'a':1} | {'a':1,'b':2} | {'b':null}",
                "a field someone else added stays | {'a':1} | {'a':1} | {'a':1,'c':3} | {}",
                "a changed value is sent | {'a':1} | {'a':2} | {'a':1} | {'a':2}",
                "live drift is corrected | {'a':1} | {'a':1} | {'a':5} | {'a':1}",
                "nested drop | {'m':{'x':1,'y':2}} | {'m':{'x':1}} | {'m':{'x':1,'y':2,'z':3}} | {'m':{'y':null}}",
                "list unchanged since last apply is not resent | {'l':[{'n':'c'}]} | {'l':[{'n':'c'}]} | {'l':[{'n':'c','d':1}]} | {}",
                "changed list is replaced whole | {'l':[1,2]} | {'l':[1]} | {'l':[1,2]} | {'l':[1]}",
                "no record: only additions and changes | null | {'a':1} | {'a':0,'b':2} | {'a':1}",
                "no record: lists compared with live | null | {'l':[1]} | {'l':[1]} | {}",
                "an already removed field is not nulled | {'a':1,'b':2} | {'a':1} | {'a':1} | {}"
            })
    void patches(String name, String original, String modified, String current, String expected) {
        JsonObject o = original.equals("null") ? null : parse(original);
        assertThat(ThreeWayMerge.patch(o, parse(modified), parse(current))).isEqualTo(parse(expected));
    }

    private static JsonObject parse(String s) {
        return JsonParser.parseString(s.replace('\'', '"')).getAsJsonObject();
    }
}
