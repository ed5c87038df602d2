using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.AspNetCore.Mvc;

namespace Billing.Api
{
    public record InvoiceDto(Guid Id, string Customer, decimal Amount, bool Paid);

    public interface IInvoiceRepository
    {
        IEnumerable<InvoiceDto> All();
        InvoiceDto? Find(Guid id);
        void Save(InvoiceDto invoice);
    }

    [ApiController]
    [Route("api/invoices")]
    public class InvoiceController : ControllerBase
    {
        private readonly IInvoiceRepository _repository;

        public InvoiceController(IInvoiceRepository repository)
        {
            _repository = repository;
        }

        [HttpGet]
        public IEnumerable<InvoiceDto> List([FromQuery] bool unpaidOnly = false) =>
            _repository.All().Where(i => !unpaidOnly || !i.Paid);

        [HttpGet("{id}")]
        public ActionResult<InvoiceDto> Get(Guid id)
        {
            var invoice = _repository.Find(id);
            return invoice is null ? NotFound() : invoice;
        }

        [HttpPost("{id}/pay")]
        public IActionResult Pay(Guid id)
        {
            var invoice = _repository.Find(id);
            if (invoice is null) return NotFound();
            if (invoice.Paid) return Conflict("already paid");
            _repository.Save(invoice with { Paid = true });
            return NoContent();
        }
    }
}
