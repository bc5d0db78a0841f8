from rest_framework.pagination import PageNumberPagination

from core.lists.paging import CountedPaginator


class StandardPagination(PageNumberPagination):
    """{"count", "next", "previous", "results"}; ?page_size= up to 200.

    ``count`` is exact up to core.lists.paging.EXACT_LIMIT rows; beyond that, on PostgreSQL, it is the
    planner's estimate and the response says so in ``X-Count-Estimated: true`` (a full count of a
    million rows would cost more than the page itself).
    """

    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CountedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.page.paginator.estimated:
            response["X-Count-Estimated"] = "true"
        return response
