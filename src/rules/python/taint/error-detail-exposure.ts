import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/error-detail-exposure',
  language: 'python',
  title: 'Exception text or a traceback sent to the client',
  cwe: [209],
  severity: 'low',
  confidence: 'medium',
  taint: { kind: 'information-exposure' },
  description:
    'The text of a caught exception (`str(e)`, `repr(e)`, `e.args`) or a traceback (`traceback.format_exc()`) is ' +
    'put in a response: `jsonify(error=str(e))`, `make_response(traceback.format_exc(), 500)`, ' +
    '`HttpResponse(str(e))`, `HTTPException(500, detail=str(e))`, or returned by a Flask, Quart or FastAPI route ' +
    'function or error handler (`return "error: " + str(e), 500`, `return {"error": repr(e)}`: a returned dict is ' +
    'sent as JSON). A helper that returns the text to its caller is not reported; the caller\'s response is.',
  whyItMatters:
    'Exception messages carry file paths, SQL statements, host names, library versions and sometimes secrets; ' +
    'a traceback shows the code. They map the application for an attacker (CWE-209).',
  fix: {
    guidance:
      'Log the exception on the server (`logger.exception(...)`) and send the client a generic message, or an ' +
      'error id that lets support find the log entry.',
    before: 'except Exception as e:\n    return jsonify(error=str(e)), 500',
    after: 'except Exception:\n    logger.exception("export failed")\n    return jsonify(error="internal error"), 500',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/209.html',
    'https://owasp.org/www-community/Improper_Error_Handling',
  ],
  create: () => ({}),
});
