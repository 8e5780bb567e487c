"""The verifikator's review of quarterly reports: the queue, the comparison with the previous triwulan,
the completeness matrix (``selectors``) and the return-comment forms (``forms``).
"""
